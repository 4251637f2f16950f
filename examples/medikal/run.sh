#!/usr/bin/env bash
# The MedIKal Care hospital demo (seed 002): two throwaway database servers
# (MariaDB with ikhospital's shift, doctors, patient and events; PostgreSQL
# with ikhospital's pharmacy.medicine) filled by the generator; carelake reads
# them straight into bronze (as the read-only user `reader`), types and
# de-duplicates them in silver, counts the hospital's business rules, and
# builds the hospital overview in gold; the seed's questions are answered with
# SQL. Then the hospital works on (new events, a corrected event, a patient who
# moved) and the next run reads only the events that changed.
set -euo pipefail
CARELAKE=${1:-build/bin/carelake}
case "$CARELAKE" in /*) ;; *) CARELAKE="$PWD/$CARELAKE" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$here/lake" "$here/reports"
sql() { "$CARELAKE" sql --project "$here" --format table "$@"; }

. "$here/../lib/db_servers.sh"
echo "== starting throwaway MariaDB and PostgreSQL servers on loopback"
start_db_servers
echo "MariaDB on 127.0.0.1:$DEMO_MYSQL_PORT, PostgreSQL on 127.0.0.1:$DEMO_PG_PORT"
# The project reads the passwords of `reader` from these (password_env:).
export MEDIKAL_MYSQL_PASSWORD=$DEMO_MYSQL_PASSWORD MEDIKAL_PG_PASSWORD=$DEMO_PG_PASSWORD
mysql_admin() {
  mariadb --no-defaults --socket="${DEMO_MYSQL_ADMIN_URL#*socket=}" -u root ikhospital "$@"
}

echo
echo "== generating MedIKal's ikhospital: 1000 patients and their events on MariaDB, the pharmacy on PostgreSQL"
"$CARELAKE" generate medikal --patients 1000 \
  --mysql "$DEMO_MYSQL_ADMIN_URL" --postgres "${DEMO_PG_ADMIN_URL/@\/postgres?/@/ikhospital?}"
echo
echo "== carelake run --project examples/medikal"
"$CARELAKE" run --project "$here" --report "$here/reports"
echo
echo "== where each bronze table came from (server, database, schema, table)"
"$CARELAKE" catalog --project "$here" | grep -E -A1 '^bronze[.](mysql|postgres)__[a-z_]+$' | grep -v '^--$'
echo
echo "== the servers' 'NULL' texts are NULL in silver"
sql "SELECT count(*) FILTER (WHERE email IS NULL) AS patients_without_email, count(*) FILTER (WHERE blood_type IS NULL) AS without_blood_type FROM silver.patient;
     SELECT count(*) FILTER (WHERE prescribed_ndc IS NULL) AS events_without_prescription, count(*) FILTER (WHERE notes IS NULL) AS without_notes FROM silver.events"
echo
echo "== the business rules, checked on every visit (violations per rule)"
sql "SELECT rule, rows_checked, rows_failed FROM _system.expectations WHERE table_name = 'gold.visits' AND run_id = (SELECT run_id FROM _system.runs ORDER BY started_at DESC LIMIT 1) ORDER BY rule"
echo
echo "== the hospital overview; patients by country and sex, and by age band"
sql "SELECT * FROM gold.hospital_overview;
     PIVOT (SELECT country, sex, patients FROM gold.patients_by_country_sex_age) ON sex USING sum(patients) GROUP BY country ORDER BY country;
     SELECT age_band, sum(patients) FILTER (WHERE sex = 'F') AS female, sum(patients) FILTER (WHERE sex = 'M') AS male FROM gold.patients_by_country_sex_age GROUP BY ALL ORDER BY age_band"
echo
echo "== events per specialty in 2023, by shift; the busiest doctors"
sql "PIVOT (SELECT specialty, shift_name, events FROM gold.events_by_month WHERE year(month) = 2023) ON shift_name IN ('Morning', 'Afternoon', 'Night') USING sum(events) GROUP BY specialty ORDER BY specialty;
     SELECT doctor_name, specialty, shift_name, sum(events) AS events, sum(cost) AS cost FROM gold.events_by_month GROUP BY ALL ORDER BY events DESC, doctor_name LIMIT 5"
echo
echo "== top symptoms per specialty"
sql "SELECT specialty, string_agg(symptom || ' (' || events || ')', ', ' ORDER BY rank) AS top_3 FROM gold.top_symptoms GROUP BY ALL ORDER BY specialty"
echo
echo "== the most prescribed medicines (events on MariaDB joined with the pharmacy on PostgreSQL by NDC)"
sql "SELECT product_ndc, generic_name, brand_name, active_ingredients, unit_price, prescriptions, patients, value FROM gold.prescriptions_by_medicine ORDER BY prescriptions DESC, product_ndc LIMIT 5"
echo
echo "== the hospital works on: 3 new visits (one a male patient booked with a gynecologist), a visit's cost corrected, a patient moves"
mover=$(mysql_admin -N -e "SELECT min(id_patient) FROM patient WHERE country = 'Portugal'")
adult="(SELECT min(id_patient) FROM patient WHERE birth_date < '2000-01-01')"
man="(SELECT min(id_patient) FROM patient WHERE sex = 'M' AND birth_date < '2000-01-01')"
# Doctors 1-3 are the General Practitioners, 7-9 the Gynecologists, 16-18 the
# Cardiologists (Morning, Afternoon, Night shift).
mysql_admin -e "
  INSERT INTO events (id_event, id_patient, id_doctor, event_time, symptom, notes, prescribed_ndc, cost, updated_at)
  SELECT max(id_event) + 1, $adult, 1, '2024-01-02 08:30:00', 'Fever', 'NULL', 'NULL', 45.00, CURRENT_TIMESTAMP(6) FROM events;
  INSERT INTO events (id_event, id_patient, id_doctor, event_time, symptom, notes, prescribed_ndc, cost, updated_at)
  SELECT max(id_event) + 1, $adult, 17, '2024-01-02 16:10:00', 'Chest pain', 'ECG normal', 'NULL', 160.00, CURRENT_TIMESTAMP(6) FROM events;
  INSERT INTO events (id_event, id_patient, id_doctor, event_time, symptom, notes, prescribed_ndc, cost, updated_at)
  SELECT max(id_event) + 1, $man, 7, '2024-01-02 09:00:00', 'Pelvic pain', 'booked by mistake', 'NULL', 80.00, CURRENT_TIMESTAMP(6) FROM events;
  UPDATE events SET cost = cost + 10, updated_at = CURRENT_TIMESTAMP(6) WHERE id_event = 5;
  UPDATE patient SET country = 'Germany', city = 'Berlin', address = 'Hauptstraße 1\n10115 Berlin' WHERE id_patient = $mover;"
"$CARELAKE" run --project "$here" --report "$here/reports"
echo
echo "== what flowed in: bronze.mysql__events gained only the changed events (and the lookback's overlap)"
sql "SELECT _run_id = (SELECT run_id FROM _system.runs ORDER BY started_at DESC LIMIT 1) AS second_run, count(*) AS rows FROM bronze.mysql__events GROUP BY ALL ORDER BY second_run;
     SELECT id_event, id_patient, id_doctor, event_time, symptom, cost, updated_at FROM silver.events WHERE id_event = 5 OR id_event > (SELECT max(id_event) - 3 FROM silver.events) ORDER BY id_event"
echo "== the booking mistake is counted, the visit kept"
sql "SELECT rule, rows_checked, rows_failed FROM _system.expectations WHERE table_name = 'gold.visits' AND run_id = (SELECT run_id FROM _system.runs ORDER BY started_at DESC LIMIT 1) AND rows_failed > 0"
echo "== the patient who moved"
sql "SELECT id_patient, country, city FROM silver.patient WHERE id_patient = $mover;
     SELECT country, sum(patients) AS patients FROM gold.patients_by_country_sex_age WHERE country IN ('Portugal', 'Germany') GROUP BY ALL ORDER BY country"
echo
"$CARELAKE" runs --project "$here" --limit 2
