-- One row per admission: the patient and department versions in effect when
-- the patient was admitted (lookups in carelake.yaml add patient_sk and
-- department_sk), the discharge if any, and the length of stay.
--
-- A discharge whose time is unknown or before the admission's gives the stay
-- no end time and no length (it is reported by the rule
-- discharge_before_admission); it is not "still admitted" either.
--
-- Incremental: the admissions that have a new admission or discharge event
-- are rebuilt and merged by admission_event_id.
WITH touched AS (
  SELECT DISTINCT CASE WHEN event_type = 'admission' THEN event_id ELSE admission_event_id END AS id
  FROM new_rows(silver.events)
),
admissions AS (
  SELECT * FROM silver.events
  WHERE event_type = 'admission' AND event_id IN (SELECT id FROM touched)
),
discharges AS (
  SELECT * FROM silver.events
  WHERE event_type = 'discharge' AND admission_event_id IN (SELECT id FROM touched)
  QUALIFY row_number() OVER (PARTITION BY admission_event_id ORDER BY event_time NULLS LAST, event_id) = 1
),
stays AS (
  SELECT a.event_id AS admission_event_id, a.patient_id, a.hospital_id, a.department,
         a.event_time AS admitted_at, a.age AS age_at_admission, a.gender,
         d.event_id AS discharge_event_id, d.event_time AS discharge_event_time,
         CASE WHEN d.event_time >= a.event_time THEN d.event_time END AS discharged_at
  FROM admissions a LEFT JOIN discharges d ON d.admission_event_id = a.event_id
)
SELECT *,
       discharge_event_id IS NULL AS still_admitted,
       date_diff('second', admitted_at, discharged_at) / 3600.0 AS length_of_stay_hours,
       coalesce(CAST(strftime(admitted_at, '%Y%m%d') AS INTEGER), -1) AS admitted_date_sk,
       coalesce(hour(admitted_at) * 100 + minute(admitted_at), -1) AS admitted_time_sk,
       coalesce(CAST(strftime(discharged_at, '%Y%m%d') AS INTEGER), -1) AS discharged_date_sk
FROM stays
