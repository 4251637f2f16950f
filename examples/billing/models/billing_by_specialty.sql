-- Billing by the physician's specialty.
SELECT ph.provider_specialty,
       count(DISTINCT ph.dim_physician_pk) AS physicians,
       count(*) AS lines,
       sum(f.gross_charge) AS gross_charges,
       sum(f.payment) AS payments,
       sum(f.adjustment) AS adjustments,
       sum(f.ar) AS ar
FROM gold.fact_billing f
JOIN gold.dim_physician ph ON ph.dim_physician_pk = f.dim_physician_pk
GROUP BY ALL
