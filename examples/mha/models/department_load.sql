-- Load against capacity per hospital, department and day: the peak number of
-- patients in bed, the capacity that day, and the hours at or above 90% of
-- it. A bottleneck is a day whose peak reaches 90% of capacity.
SELECT hospital_id, department, hour::DATE AS day,
       max(patients) AS peak_patients,
       max(capacity) AS capacity,
       max(staff) AS staff,
       round(max(patients) / max(capacity), 3) AS peak_load,
       count(*) FILTER (WHERE patients >= 0.9 * capacity) AS hours_at_90pct,
       coalesce(max(patients) >= 0.9 * max(capacity), false) AS bottleneck
FROM gold.occupancy_hourly
GROUP BY ALL
