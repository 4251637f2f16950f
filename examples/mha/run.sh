#!/usr/bin/env bash
# The MHA demo (seed 004): generate a week of hospital admission/discharge
# events with the seed's dirt, daily EHR extracts and department metadata for
# 7 hospitals; run the pipeline (bronze -> silver with a named rule per dirty
# kind -> SCD2 star schema -> KPI marts) with a data-quality report per run;
# then a second generator run arrives (new files) and only it is processed.
set -euo pipefail
CARELAKE=${1:-build/bin/carelake}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$here/landing" "$here/lake" "$here/reports"
sql() { "$CARELAKE" sql --project "$here" --format table "$@"; }

echo "== generating 10,000 synthetic MHA events (2% dirty), EHR extracts and department metadata"
"$CARELAKE" generate mha --out "$here/landing" --events 10000 --dirt 0.02
echo
echo "== carelake run --project examples/mha --report examples/mha/reports"
"$CARELAKE" run --project "$here" --report "$here/reports"
echo
echo "== every dirty kind has a named rule and an action (this run)"
sql "SELECT table_name, rule, action, rows_checked, rows_failed FROM _system.expectations WHERE rows_failed > 0 AND run_id = (SELECT run_id FROM _system.runs ORDER BY started_at DESC LIMIT 1) ORDER BY 1, 2"
sql "SELECT step, rows_read, rows_written, rows_quarantined, rows_deduplicated AS duplicates_removed, rows_fixed, rows_warned FROM _system.steps WHERE step = 'silver.events' ORDER BY started_at DESC LIMIT 1"
echo
echo "== bed occupancy now, by department (all hospitals)"
sql "SELECT department, sum(patients) AS in_bed, sum(capacity) AS beds, round(sum(patients) / sum(capacity), 3) AS occupancy FROM gold.occupancy_hourly WHERE hour = (SELECT max(hour) FROM gold.occupancy_hourly) GROUP BY 1 ORDER BY occupancy DESC"
echo
echo "== bottlenecks: departments whose daily peak reached 90% of capacity"
sql "SELECT hospital_id, department, count(*) FILTER (WHERE bottleneck) AS bottleneck_days, count(*) AS days, max(peak_load) AS worst_peak_load FROM gold.department_load GROUP BY ALL HAVING count(*) FILTER (WHERE bottleneck) > 0 ORDER BY bottleneck_days DESC, worst_peak_load DESC LIMIT 8"
echo
echo "== admissions and discharges per day (all hospitals, first days)"
sql "SELECT day, sum(admissions) AS admissions, sum(discharges) AS discharges FROM gold.admissions_discharges_daily GROUP BY day ORDER BY day LIMIT 7"
echo
echo "== length of stay by department"
sql "PIVOT (SELECT department, los_band, band_order, stays FROM gold.length_of_stay_distribution) ON los_band IN ('< 12 h', '12-24 h', '1-2 days', '2-3 days', '3+ days') USING sum(stays) GROUP BY department ORDER BY department"
echo
echo "== gender and age-band KPIs"
sql "SELECT gender, age_band, admissions, still_admitted, avg_length_of_stay_hours FROM gold.demographics ORDER BY gender, age_band"
echo
echo "== SCD2 history: a patient whose allergies changed and whose insurance arrived with the new schema"
sql "SELECT patient_sk, patient_id, allergies, insurance_type, valid_from, valid_to, is_current FROM gold.dim_patient WHERE patient_id = (SELECT patient_id FROM gold.dim_patient WHERE insurance_type IS NOT NULL GROUP BY 1 HAVING count(*) >= 3 ORDER BY 1 LIMIT 1) ORDER BY valid_from"
sql "SELECT hospital_id, department, capacity, staff, valid_from, valid_to FROM gold.dim_department WHERE (hospital_id, department) IN (SELECT (hospital_id, department) FROM gold.dim_department GROUP BY ALL HAVING count(*) > 1 LIMIT 1) ORDER BY valid_from"
echo
echo "== the star schema: admissions by patient gender at admission time and department capacity"
sql "SELECT p.gender, d.department, count(*) AS admissions, round(avg(f.length_of_stay_hours), 1) AS avg_los_hours FROM gold.fact_admissions f JOIN gold.dim_patient p ON f.patient_sk = p.patient_sk JOIN gold.dim_department d ON f.department_sk = d.department_sk JOIN gold.dim_date dd ON f.admitted_date_sk = dd.date_sk WHERE dd.is_weekend GROUP BY ALL ORDER BY admissions DESC LIMIT 5"
echo
echo "== a second generator run arrives: only its files are processed"
"$CARELAKE" generate mha --out "$here/landing" --events 2000 --dirt 0.02
"$CARELAKE" run --project "$here" --report "$here/reports"
"$CARELAKE" run --project "$here"
echo
"$CARELAKE" runs --project "$here" --limit 3
echo
ls "$here/reports"
echo "(open one of the .html files above in a browser: per rule, rows checked / failed / action, with examples)"
