-- The most sought-after times: appointments by hour of the scheduled time.
SELECT
  hour(scheduled_at) AS hour,
  count(*) AS appointments,
  rank() OVER (ORDER BY count(*) DESC) AS popularity_rank
FROM silver.interactions
WHERE patient_wish = 'Appointment'
GROUP BY ALL
