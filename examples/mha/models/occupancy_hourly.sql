-- Bed occupancy: patients in bed per hospital, department and hour, against
-- the department's capacity in effect that day. A stay occupies every hour
-- from its admission's to its discharge's; a patient still admitted, up to
-- the latest event time seen. Stays with an unknown admission or discharge
-- time are not counted.
WITH now AS (SELECT max(event_time) AS now FROM silver.events),
stays AS (
  SELECT f.hospital_id, f.department, f.admitted_at,
         CASE WHEN f.still_admitted THEN n.now ELSE f.discharged_at END AS until
  FROM gold.fact_admissions f, now n
  WHERE f.admitted_at IS NOT NULL AND (f.still_admitted OR f.discharged_at IS NOT NULL)
),
hours AS (
  SELECT hospital_id, department,
         unnest(generate_series(date_trunc('hour', admitted_at), date_trunc('hour', until),
                                INTERVAL 1 HOUR)) AS hour
  FROM stays
  WHERE until >= admitted_at
),
counted AS (
  SELECT hospital_id, department, hour, count(*) AS patients FROM hours GROUP BY ALL
)
SELECT c.hospital_id, c.department, c.hour, c.patients, d.capacity, d.staff,
       round(c.patients / d.capacity, 3) AS occupancy_rate
FROM counted c
ASOF LEFT JOIN (SELECT hospital_id, department, valid_from, capacity, staff
                FROM gold.dim_department WHERE department_sk <> -1) d
  ON c.hospital_id = d.hospital_id AND c.department = d.department AND c.hour::DATE >= d.valid_from
