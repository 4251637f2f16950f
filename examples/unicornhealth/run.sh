#!/usr/bin/env bash
# The UnicornHealth demo (seed 003): a family-practice clinic whose
# operational database is MySQL, every column VARCHAR as the seed's DDL
# declares it. A throwaway MariaDB plays the clinic's server; the generator
# fills it (500 patients, 25 employees, a year of appointments); the lake
# copies the whole database into bronze (the seed's DMS migration),
# `carelake infer` writes the silver declaration that types the text (the
# one committed in carelake.yaml), the pipeline builds gold, SQL answers the
# clinic's questions (the seed's Athena), and the catalog lists what the lake
# holds (the seed's Glue crawler).
set -euo pipefail
CARELAKE=${1:-build/bin/carelake}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$here/lake" "$here/reports"
mkdir -p "$here/reports"
# One `carelake sql` per section: statements separated by ";" print one table each.
sql() { "$CARELAKE" sql --project "$here" --format table "$@"; }

. "$here/../lib/db_servers.sh"
echo "== a throwaway MariaDB plays the clinic's MySQL server"
start_mariadb
echo "listening on 127.0.0.1:$DEMO_MYSQL_PORT; user reader may only read"
# carelake.yaml: connection "mysql://reader@127.0.0.1:${DEMO_MYSQL_PORT}/unicornhealth",
# password_env UNICORN_MYSQL_PASSWORD.
export UNICORN_MYSQL_PASSWORD=$DEMO_MYSQL_PASSWORD
echo
echo "== carelake generate unicorn: the clinic's database exactly as the seed's DDL declares it"
"$CARELAKE" generate unicorn --mysql "$DEMO_MYSQL_ADMIN_URL"
echo
echo "== step 1: the whole database lands in bronze (tables: \"*\", one consistent snapshot)"
"$CARELAKE" run --project "$here" --select bronze.clinic
sql "SELECT * FROM bronze.clinic__appointment ORDER BY appId LIMIT 3"
echo
echo "== carelake infer --source clinic: the silver declaration, from what the text holds"
"$CARELAKE" infer --source clinic --project "$here" --out "$here/reports/silver.inferred.yaml"
sed -n '/- name: account$/,/- name: appointment$/p' "$here/reports/silver.inferred.yaml" | head -n -1
echo "(the rest: $here/reports/silver.inferred.yaml)"
# The committed carelake.yaml's silver section is what infer wrote: every
# table, key and column line of it is there, word for word.
missing=$(grep -E '^\s+(- name:|from:|key:|null_tokens:|- \{name:)' "$here/reports/silver.inferred.yaml" |
  grep -vxFf "$here/carelake.yaml" || true)
if [ -n "$missing" ]; then
  echo "carelake.yaml's silver section differs from what infer wrote:"
  echo "$missing"
  exit 1
fi
echo "carelake.yaml's silver section has every line infer wrote (plus reviewed expectations)"
echo
echo "== the pipeline: silver typed from infer's declaration, then gold"
"$CARELAKE" run --project "$here"
sql "SELECT table_name, rule, action, rows_checked, rows_failed FROM _system.expectations WHERE run_id = (SELECT run_id FROM _system.runs ORDER BY started_at DESC LIMIT 1) ORDER BY 1, 2"
echo
echo "== the seed's query, SELECT * FROM patient: now typed (dob a DATE, zip's leading zeros kept)"
sql "SELECT * EXCLUDE (_dq_fixes, _source_file, _source_position, _ingested_at, _run_id) FROM silver.patient ORDER BY CAST(substr(person_id, 4) AS INTEGER) LIMIT 5"
echo
echo "== appointments per physician and month: the year per clinician, then one clinician's months"
sql "SELECT physician_id, physician_name, physician_title, sum(appointments) AS appointments, sum(completed) AS completed, sum(no_shows) AS no_shows, sum(cancelled) AS cancelled, round(sum(no_shows) / sum(appointments), 4) AS no_show_rate FROM gold.appointments_by_physician_month GROUP BY ALL ORDER BY physician_id;
  SELECT month, appointments, completed, no_shows, cancelled, in_progress, no_show_rate, avg_wait_minutes FROM gold.appointments_by_physician_month WHERE physician_id = 'E0001' ORDER BY month"
echo
echo "== encounter outcomes, no-shows included: the year, then the no-show rate per month"
sql "SELECT status, sum(encounters) AS encounters, round(sum(encounters) / (SELECT sum(encounters) FROM gold.encounter_outcomes), 4) AS share FROM gold.encounter_outcomes GROUP BY ALL ORDER BY encounters DESC;
  SELECT month, sum(encounters) AS encounters, sum(encounters) FILTER (WHERE status = 'No-show') AS no_shows, sum(share) FILTER (WHERE status = 'No-show') AS no_show_rate FROM gold.encounter_outcomes GROUP BY ALL ORDER BY month"
echo
echo "== account balances and overdue payments by insurance plan (as of the last appointment day)"
sql "SELECT plan, patients, total_balance, avg_balance, accounts_owing, overdue_accounts, overdue_balance, as_of FROM gold.balances_by_plan ORDER BY overdue_balance DESC;
  SELECT ageing, count(*) AS accounts, sum(account_balance) AS balance FROM gold.overdue_payments GROUP BY ALL ORDER BY min(days_overdue);
  SELECT account_id, patient_id, plan, payment_due, days_overdue, account_balance FROM gold.overdue_payments ORDER BY days_overdue DESC, account_balance DESC LIMIT 5"
echo
echo "== carelake catalog (the Glue crawler's part): where each table came from"
"$CARELAKE" catalog --project "$here" | sed -n '/^bronze.clinic__patient$/,/^silver.account$/p' | head -n -1
echo
echo "== the same as SQL: _system.tables and _system.columns (the PII-tagged columns)"
sql "SELECT table_name, row_count, origin FROM _system.tables WHERE present AND layer <> '_system' ORDER BY table_name;
  SELECT table_name, column_name, data_type FROM _system.columns WHERE pii AND layer = 'silver' ORDER BY 1, 2"
