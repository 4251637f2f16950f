-- Encounter outcomes per month of the appointment (Completed, No-show,
-- Cancelled, In progress): encounters, distinct patients, and the share of
-- the month's encounters.
SELECT app_month AS month,
       status,
       count(*) AS encounters,
       count(DISTINCT patient_id) AS patients,
       round(count(*) / sum(count(*)) OVER (PARTITION BY app_month), 4) AS share
FROM gold.fact_visit
WHERE encounter_id IS NOT NULL
GROUP BY app_month, status
