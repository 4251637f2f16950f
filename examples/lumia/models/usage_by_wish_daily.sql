-- What Lumia is used for, and when: interactions per day and wish
-- (by the time of the interaction). Days with new interactions are recomputed.
SELECT
  current_at::DATE AS day,
  patient_wish AS wish,
  count(*) AS interactions,
  count(DISTINCT patient_name) AS distinct_users
FROM silver.interactions
WHERE current_at::DATE IN (SELECT DISTINCT current_at::DATE FROM new_rows(silver.interactions))
GROUP BY ALL
