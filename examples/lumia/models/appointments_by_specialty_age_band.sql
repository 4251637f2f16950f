-- Appointments by medical area and the users' age band.
SELECT
  specialty,
  CASE
    WHEN patient_age < 18 THEN 'under 18'
    WHEN patient_age < 30 THEN '18-29'
    WHEN patient_age < 40 THEN '30-39'
    WHEN patient_age < 50 THEN '40-49'
    WHEN patient_age < 60 THEN '50-59'
    ELSE '60+'
  END AS age_band,
  count(*) AS appointments
FROM silver.interactions
WHERE patient_wish = 'Appointment'
GROUP BY ALL
