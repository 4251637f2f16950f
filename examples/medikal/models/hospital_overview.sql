-- The overview's headline numbers (one row).
SELECT (SELECT count(*) FROM silver.patient) AS patients,
       (SELECT count(DISTINCT country) FROM silver.patient) AS countries,
       (SELECT count(*) FROM silver.doctors WHERE active) AS active_doctors,
       (SELECT count(DISTINCT specialty) FROM silver.doctors) AS specialties,
       count(*) AS events,
       count(prescribed_ndc) AS prescriptions,
       sum(cost) AS cost,
       min(event_time) AS first_event,
       max(event_time) AS last_event
FROM gold.visits
