-- Length of stay and charges per department, straight from the CSV export.
SELECT
  department,
  count(*) AS admissions,
  count(DISTINCT patient_id) AS patients,
  round(avg(stay_hours), 1) AS avg_stay_hours,
  round(avg(age), 1) AS avg_age,
  sum(charge) AS total_charges
FROM read_csv('__LANDING__/admissions.csv', types = {'charge': 'DECIMAL(10,2)'})
GROUP BY department
ORDER BY admissions DESC;

-- Busiest admission hours across the hospital.
SELECT hour(admitted_at) AS hour_of_day, count(*) AS admissions
FROM read_csv('__LANDING__/admissions.csv')
GROUP BY ALL
ORDER BY admissions DESC, hour_of_day
LIMIT 5;
