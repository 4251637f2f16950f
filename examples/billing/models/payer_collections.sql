-- Payments collected vs pending by payer: what was paid, what was adjusted
-- (written off), what is still pending (AR), and the share of gross charges
-- collected.
SELECT p.payer_name,
       count(*) AS lines,
       sum(f.gross_charge) AS gross_charges,
       sum(f.payment) AS collected,
       sum(f.adjustment) AS adjusted,
       sum(f.ar) AS pending,
       count(*) FILTER (WHERE f.ar > 0) AS lines_pending,
       round(sum(f.payment) / nullif(sum(f.gross_charge), 0), 4) AS collection_rate
FROM gold.fact_billing f
JOIN gold.dim_payer p ON p.dim_payer_pk = f.dim_payer_pk
GROUP BY ALL
