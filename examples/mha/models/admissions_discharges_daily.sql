-- Admissions and discharges per day, hospital and department (by the day of
-- the admission's and the discharge's time; unknown times are not counted).
SELECT day, hospital_id, department, sum(admissions) AS admissions, sum(discharges) AS discharges
FROM (
  SELECT admitted_at::DATE AS day, hospital_id, department, 1 AS admissions, 0 AS discharges
  FROM gold.fact_admissions WHERE admitted_at IS NOT NULL
  UNION ALL
  SELECT discharged_at::DATE, hospital_id, department, 0, 1
  FROM gold.fact_admissions WHERE discharged_at IS NOT NULL
)
GROUP BY ALL
