-- Billing by location.
SELECT l.location_name,
       count(*) AS lines,
       count(DISTINCT f.patient_number) AS patients,
       sum(f.gross_charge) AS gross_charges,
       sum(f.payment) AS payments,
       sum(f.adjustment) AS adjustments,
       sum(f.ar) AS ar
FROM gold.fact_billing f
JOIN gold.dim_location l ON l.dim_location_pk = f.dim_location_pk
GROUP BY ALL
