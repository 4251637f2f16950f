-- Value moved and appointments scheduled by medical area.
SELECT
  specialty,
  count(*) FILTER (WHERE patient_wish = 'Appointment') AS appointments,
  sum(budget) FILTER (WHERE patient_wish = 'Appointment') AS value_moved,
  count(*) AS interactions
FROM silver.interactions
GROUP BY specialty
