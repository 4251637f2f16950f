-- Length of stay per department: finished stays in bands, with each
-- department's average and median hours.
WITH stays AS (
  SELECT department, length_of_stay_hours AS hours,
         date_diff('second', admitted_at, discharged_at) AS seconds,
         CASE WHEN length_of_stay_hours < 12 THEN 1 WHEN length_of_stay_hours < 24 THEN 2
              WHEN length_of_stay_hours < 48 THEN 3 WHEN length_of_stay_hours < 72 THEN 4
              ELSE 5 END AS band_order
  FROM gold.fact_admissions
  WHERE length_of_stay_hours IS NOT NULL
)
SELECT department, band_order,
       ['< 12 h', '12-24 h', '1-2 days', '2-3 days', '3+ days'][band_order] AS los_band,
       count(*) AS stays,
       round(avg(seconds) / 3600, 2) AS band_avg_hours,
       any_value(department_avg_hours) AS department_avg_hours,
       any_value(department_median_hours) AS department_median_hours
-- Averages and medians over whole seconds (exact, whatever the order of the rows).
FROM (SELECT *, round(avg(seconds) OVER (PARTITION BY department) / 3600, 2) AS department_avg_hours,
             round(median(seconds) OVER (PARTITION BY department) / 3600, 2)
               AS department_median_hours
      FROM stays)
GROUP BY department, band_order
