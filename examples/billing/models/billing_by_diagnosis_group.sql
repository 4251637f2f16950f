-- Billing by diagnosis group (the dataset repeats a diagnosis code under two
-- keys; both belong to the same group).
SELECT d.diagnosis_code_group,
       count(*) AS lines,
       count(DISTINCT f.patient_number) AS patients,
       sum(f.gross_charge) AS gross_charges,
       sum(f.payment) AS payments,
       sum(f.adjustment) AS adjustments,
       sum(f.ar) AS ar
FROM gold.fact_billing f
JOIN gold.dim_diagnosis_code d ON d.dim_diagnosis_code_pk = f.dim_diagnosis_code_pk
GROUP BY ALL
