-- One row per hospital event (a visit): the patient's sex, country and age on
-- the day of the visit, the doctor's specialty and shift, the specialty the
-- symptom belongs to, and the prescribed medicine (by NDC, as the seed joins
-- the pharmacy). The business rules are this model's expectations.
WITH v AS (
  SELECT e.* REPLACE (CAST(e.event_time AS TIMESTAMP) AS event_time),  -- UTC wall time
         p.sex, p.country, p.birth_date,
         d.first_name || ' ' || d.last_name AS doctor_name, d.specialty, d.id_shift,
         s.shift_name, CAST(s.start_time AS TIME) AS start_time, CAST(s.end_time AS TIME) AS end_time,
         r.specialty AS symptom_specialty,
         m.id_medicine, m.generic_name, m.brand_name
  FROM silver.events e
  LEFT JOIN silver.patient p ON p.id_patient = e.id_patient
  LEFT JOIN silver.doctors d ON d.id_doctor = e.id_doctor
  LEFT JOIN silver.shift s ON s.id_shift = d.id_shift
  LEFT JOIN silver.specialty_symptoms r ON r.symptom = e.symptom
  LEFT JOIN silver.medicine m ON m.product_ndc = e.prescribed_ndc
)
SELECT id_event, event_time, CAST(date_trunc('month', event_time) AS DATE) AS month,
       id_patient, sex, country,
       -- completed years on the day of the visit
       year(event_time) - year(birth_date)
         - CAST(strftime(event_time, '%m%d') < strftime(birth_date, '%m%d') AS INTEGER) AS age_at_visit,
       id_doctor, doctor_name, specialty, id_shift, shift_name,
       CASE WHEN start_time < end_time
            THEN CAST(event_time AS TIME) >= start_time AND CAST(event_time AS TIME) < end_time
            ELSE CAST(event_time AS TIME) >= start_time OR CAST(event_time AS TIME) < end_time
       END AS in_shift,
       symptom, symptom_specialty, prescribed_ndc, id_medicine, generic_name, brand_name, cost
FROM v
