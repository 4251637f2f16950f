-- Daily billing report: per post date, the lines posted and their gross
-- charges, payments, adjustments and outstanding receivables (AR).
SELECT post_date AS day,
       count(*) AS lines,
       sum(gross_charge) AS gross_charges,
       sum(payment) AS payments,
       sum(adjustment) AS adjustments,
       sum(ar) AS ar
FROM gold.fact_billing
GROUP BY ALL
