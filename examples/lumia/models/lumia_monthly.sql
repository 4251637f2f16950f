-- One row per (month of the scheduled date, wish). Only the months that
-- received new interactions are recomputed (new_rows), over all their rows.
SELECT
  date_trunc('month', scheduled_at)::DATE AS month,
  patient_wish AS wish,
  count(*) AS interactions,
  avg(CASE WHEN feedback THEN 1.0 ELSE 0.0 END)::DOUBLE AS feedback_rate,
  avg(professional_rating)::DOUBLE AS avg_professional_rating,
  avg(overall_rating)::DOUBLE AS avg_overall_rating,
  sum(budget) AS budget_total,
  avg(patient_age)::DOUBLE AS avg_age
FROM silver.interactions
WHERE date_trunc('month', scheduled_at)::DATE IN (
  SELECT DISTINCT date_trunc('month', scheduled_at)::DATE FROM new_rows(silver.interactions))
GROUP BY ALL
