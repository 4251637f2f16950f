-- Billing by physician (the dataset lists one NPI under two keys: they stay
-- two rows here, each with its key).
SELECT ph.dim_physician_pk,
       ph.provider_npi,
       ph.provider_name,
       ph.provider_specialty,
       count(*) AS lines,
       count(DISTINCT f.patient_number) AS patients,
       sum(f.gross_charge) AS gross_charges,
       sum(f.payment) AS payments,
       sum(f.adjustment) AS adjustments,
       sum(f.ar) AS ar
FROM gold.fact_billing f
JOIN gold.dim_physician ph ON ph.dim_physician_pk = f.dim_physician_pk
GROUP BY ALL
