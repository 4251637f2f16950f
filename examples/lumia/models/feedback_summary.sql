-- Are users giving feedback, and what scores? Overall and by specialty.
SELECT
  coalesce(specialty, 'all') AS specialty,
  count(*) AS interactions,
  count(*) FILTER (WHERE feedback) AS with_feedback,
  avg(CASE WHEN feedback THEN 1.0 ELSE 0.0 END)::DOUBLE AS feedback_rate,
  avg(professional_rating)::DOUBLE AS avg_professional_rating,
  avg(overall_rating)::DOUBLE AS avg_overall_rating
FROM silver.interactions
GROUP BY ROLLUP (specialty)
