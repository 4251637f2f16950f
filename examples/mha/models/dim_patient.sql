-- The change rows of gold.dim_patient (SCD2, sequence changed_at): every EHR
-- extract row as of the start of its day, and every event as of when the
-- registration system recorded it (recorded_at: an event's own time may be
-- wrong, e.g. a discharge dated before its admission) with the patient
-- attributes it carries beyond the EHR's (insurance_type once the
-- registration systems send it, and any attribute that appears later). A NULL
-- says nothing (ignore_null_updates): an EHR row does not clear the
-- insurance, an event does not clear the allergies.
SELECT * EXCLUDE (extract_date), extract_date::TIMESTAMPTZ AS changed_at
FROM new_rows(silver.ehr_patients)
UNION ALL BY NAME
SELECT * EXCLUDE (event_id, event_type, hospital_id, department, event_time, recorded_at, age,
                  gender, admission_event_id),
       recorded_at AS changed_at
FROM new_rows(silver.events)
WHERE recorded_at IS NOT NULL
