-- Billing by the state the patient lived in on the day of service: the
-- patient's type 2 version the fact points to (a patient who moved bills
-- to the old state before the move and to the new one after).
SELECT p.state AS patient_state,
       count(*) AS lines,
       count(DISTINCT f.patient_number) AS patients,
       sum(f.gross_charge) AS gross_charges,
       sum(f.payment) AS payments,
       sum(f.ar) AS ar
FROM gold.fact_billing f
JOIN gold.dim_patient p ON p.patient_sk = f.patient_sk
GROUP BY ALL
