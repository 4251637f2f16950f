-- The three most frequent symptoms of each specialty (ties: alphabetical),
-- with their share of the specialty's events.
WITH counted AS (
  SELECT specialty, symptom, count(*) AS events
  FROM gold.visits
  GROUP BY ALL
)
SELECT specialty, symptom, events,
       round(100.0 * events / sum(events) OVER (PARTITION BY specialty), 1) AS share_pct,
       row_number() OVER (PARTITION BY specialty ORDER BY events DESC, symptom) AS rank
FROM counted
QUALIFY rank <= 3
