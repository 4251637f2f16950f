-- Events per month, specialty, doctor and shift.
SELECT month, specialty, id_doctor, doctor_name, shift_name,
       count(*) AS events,
       count(DISTINCT id_patient) AS patients,
       count(prescribed_ndc) AS prescriptions,
       sum(cost) AS cost
FROM gold.visits
GROUP BY ALL
