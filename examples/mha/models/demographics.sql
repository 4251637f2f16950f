-- Gender and age-band KPIs: admissions, patients still admitted and the
-- average length of finished stays. The age is the one given at admission;
-- an impossible age was made unknown in silver and counts as 'unknown'.
SELECT gender,
       CASE WHEN age_at_admission IS NULL THEN 'unknown'
            WHEN age_at_admission < 18 THEN '0-17'
            WHEN age_at_admission < 35 THEN '18-34'
            WHEN age_at_admission < 50 THEN '35-49'
            WHEN age_at_admission < 65 THEN '50-64'
            WHEN age_at_admission < 80 THEN '65-79'
            ELSE '80-100' END AS age_band,
       count(*) AS admissions,
       count(*) FILTER (WHERE still_admitted) AS still_admitted,
       -- Averaged in whole seconds (exact), then in hours: the result does not
       -- depend on the order rows are summed in.
       round(avg(date_diff('second', admitted_at, discharged_at)) / 3600, 2)
         AS avg_length_of_stay_hours
FROM gold.fact_admissions
GROUP BY ALL
