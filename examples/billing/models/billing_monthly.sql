-- Monthly billing report, by the post date's month in the dataset's own
-- calendar (dimDate: MonthPeriod 202401, MonthYear Jan-2024).
SELECT d.month_period,
       d.month_year,
       count(*) AS lines,
       count(DISTINCT f.patient_number) AS patients,
       sum(f.gross_charge) AS gross_charges,
       sum(f.payment) AS payments,
       sum(f.adjustment) AS adjustments,
       sum(f.ar) AS ar
FROM gold.fact_billing f
JOIN gold.dim_date d ON d.date_pk = f.post_date_pk
GROUP BY ALL
