-- Synthetic hospital admissions (no real patient data): 20,000 stays across
-- 7 departments, with admission and discharge times, ages and charges.
-- Written as a CSV export, the shape a clinic's batch drop arrives in.
SELECT setseed(0.42);
COPY (
  SELECT
    i AS admission_id,
    'P' || lpad(CAST(1 + CAST(floor(random() * 8000) AS INTEGER) AS VARCHAR), 5, '0') AS patient_id,
    (['Cardiology', 'Oncology', 'Pediatrics', 'Emergency', 'Orthopedics', 'Neurology',
      'Maternity'])[1 + CAST(floor(random() * 7) AS INTEGER)] AS department,
    TIMESTAMP '2026-01-01' + to_minutes(CAST(floor(random() * 60 * 24 * 300) AS BIGINT)) AS admitted_at,
    CAST(floor(random() * 95) AS INTEGER) AS age,
    CAST(round(200 + random() * 9800, 2) AS DECIMAL(10, 2)) AS charge,
    CAST(floor(4 + random() * random() * 240) AS INTEGER) AS stay_hours
  FROM range(20000) t(i)
) TO '__LANDING__/admissions.csv' (HEADER);
