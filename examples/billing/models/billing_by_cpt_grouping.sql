-- Billing by CPT grouping (Evaluation and Management, Radiology, Surgery...).
SELECT c.cpt_grouping,
       count(*) AS lines,
       sum(f.cpt_units) AS units,
       sum(f.gross_charge) AS gross_charges,
       sum(f.payment) AS payments,
       sum(f.adjustment) AS adjustments,
       sum(f.ar) AS ar
FROM gold.fact_billing f
JOIN gold.dim_cpt_code c ON c.dim_cpt_code_pk = f.dim_cpt_code_pk
GROUP BY ALL
