-- Appointments per clinician (physicians and nurse practitioners) and month,
-- with what became of them: completed, no-shows, cancelled, still in
-- progress; the no-show rate; the mean wait of the patients seen.
SELECT physician_id,
       physician_name,
       physician_title,
       app_month AS month,
       count(*) AS appointments,
       count(*) FILTER (WHERE status = 'Completed') AS completed,
       count(*) FILTER (WHERE status = 'No-show') AS no_shows,
       count(*) FILTER (WHERE status = 'Cancelled') AS cancelled,
       count(*) FILTER (WHERE status = 'In progress') AS in_progress,
       round(count(*) FILTER (WHERE status = 'No-show') / count(*), 4) AS no_show_rate,
       round(avg(wait_minutes), 1) AS avg_wait_minutes
FROM gold.fact_visit
GROUP BY ALL
