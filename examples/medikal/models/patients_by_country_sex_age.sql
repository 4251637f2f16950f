-- Registered patients by country, sex and age band (age in completed years
-- on the day gold was built).
WITH p AS (
  SELECT country, sex,
         year(current_date) - year(birth_date)
           - CAST(strftime(current_date, '%m%d') < strftime(birth_date, '%m%d') AS INTEGER) AS age
  FROM silver.patient
)
SELECT country, sex,
       CASE WHEN age < 15 THEN '0-14' WHEN age < 25 THEN '15-24' WHEN age < 45 THEN '25-44'
            WHEN age < 65 THEN '45-64' ELSE '65+' END AS age_band,
       count(*) AS patients
FROM p
GROUP BY ALL
