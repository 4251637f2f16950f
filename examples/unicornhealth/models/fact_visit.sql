-- One row per appointment: the clinician who sees the patient, the day and
-- time, and what happened (the encounter). The clinic's DDL has no column
-- linking an encounter to its appointment; their numbers do: encounter
-- ENC0042 is appointment APPO42. The encounter names the patient; the plan is
-- the patient's insurance. wait_minutes: from the booked time to the start
-- of the encounter (NULL when the patient was not seen).
SELECT a.app_id,
       e.encounter_id,
       a.physician AS physician_id,
       d.first_name || ' ' || d.last_name AS physician_name,
       d.title AS physician_title,
       a.scheduled_by,
       a.app_date,
       CAST(date_trunc('month', a.app_date) AS DATE) AS app_month,
       a.app_time,
       e.start_time,
       CAST(date_diff('minute', CAST(a.app_time AS TIME), CAST(e.start_time AS TIME)) AS INTEGER)
           AS wait_minutes,
       e.status,
       e.patient AS patient_id,
       p.insurance AS insid,
       i.plan
FROM silver.appointment a
LEFT JOIN silver.encounter e
  ON CAST(substr(e.encounter_id, 4) AS INTEGER) = CAST(substr(a.app_id, 5) AS INTEGER)
LEFT JOIN silver.employee d ON d.employee_id = a.physician
LEFT JOIN silver.patient p ON p.person_id = e.patient
LEFT JOIN silver.insurance i ON i.insid = p.insurance
