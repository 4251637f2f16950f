#!/usr/bin/env bash
# The billing warehouse demo (seed 001): generate the Kaggle healthcare
# billing dataset's files (a fact table of billing transaction lines and
# eight dimensions, 2% of the lines dirty); run the pipeline (bronze ->
# silver with a named rule per kind of bad line -> star schema with the
# patient as type 2 -> billing marts); answer the seed's business questions
# with SQL; then daily drops arrive (one re-delivers the patients, some of
# whom moved) and only the new files are processed.
set -euo pipefail
CARELAKE=${1:-build/bin/carelake}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$here/landing" "$here/lake" "$here/reports"
sql() { "$CARELAKE" sql --project "$here" --format table "$@"; }

echo "== generating 90 days of synthetic billing lines for 500 patients (2% dirty) and the 8 dimensions"
"$CARELAKE" generate billing --out "$here/landing" --days 90 --patients 500 --dirt 0.02
ls "$here/landing"
echo
echo "== carelake run --project examples/billing --report examples/billing/reports"
"$CARELAKE" run --project "$here" --report "$here/reports"
echo
echo "== bad lines are quarantined, each with the rule it broke"
sql "SELECT _dq_rules AS rules, count(*) AS lines FROM silver.facts__quarantine GROUP BY ALL ORDER BY lines DESC"
sql "SELECT fact_table_pk, gross_charge, payment, adjustment, ar, _dq_reasons FROM silver.facts__quarantine WHERE list_contains(_dq_rules, 'ar_reconciles') ORDER BY fact_table_pk LIMIT 3"
echo
echo "== monthly billing report"
sql "SELECT month_year, lines, patients, gross_charges, payments, adjustments, ar FROM gold.billing_monthly ORDER BY month_period"
echo
echo "== daily billing report (last week)"
sql "SELECT day, lines, gross_charges, payments, adjustments, ar FROM gold.billing_daily ORDER BY day DESC LIMIT 7"
echo
echo "== payments collected vs pending, by payer"
sql "SELECT payer_name, gross_charges, collected, adjusted, pending, lines_pending, collection_rate FROM gold.payer_collections ORDER BY gross_charges DESC"
echo
echo "== billing by specialty, and the top physicians"
sql "SELECT provider_specialty, physicians, lines, gross_charges, payments, ar FROM gold.billing_by_specialty ORDER BY gross_charges DESC"
sql "SELECT provider_name, provider_npi, provider_specialty, lines, patients, gross_charges, ar FROM gold.billing_by_physician ORDER BY gross_charges DESC LIMIT 5"
echo
echo "== billing by location, CPT grouping and diagnosis group"
sql "SELECT location_name, lines, patients, gross_charges, ar FROM gold.billing_by_location ORDER BY gross_charges DESC"
sql "SELECT cpt_grouping, lines, units, gross_charges, payments, ar FROM gold.billing_by_cpt_grouping ORDER BY gross_charges DESC"
sql "SELECT diagnosis_code_group, lines, patients, gross_charges, ar FROM gold.billing_by_diagnosis_group ORDER BY gross_charges DESC"
echo
echo "== slicing the star schema: the receivable of Medicare lines by age band and weekday of service"
sql "SELECT CASE WHEN p.patient_age < 65 THEN 'under 65' ELSE '65+' END AS age_band, d.day_name, count(*) AS lines, sum(f.ar) AS ar FROM gold.fact_billing f JOIN gold.dim_patient p ON p.patient_sk = f.patient_sk JOIN gold.dim_payer y ON y.dim_payer_pk = f.dim_payer_pk JOIN gold.dim_date d ON d.date_pk = f.service_date_pk WHERE y.payer_name = 'Medicare' GROUP BY ALL ORDER BY age_band, isodow(min(d.date))"
echo
echo "== three daily drops arrive (the third re-delivers Dimpatient: some patients moved); only they are processed"
for _ in 1 2 3; do "$CARELAKE" generate billing --out "$here/landing" --dirt 0.02; done
"$CARELAKE" run --project "$here" --report "$here/reports"
echo
echo "== the patient as type 2: a patient who moved, and where the billing went"
sql "SELECT patient_sk, patient_number, city, state, valid_from, valid_to, is_current FROM gold.dim_patient WHERE patient_number = (SELECT patient_number FROM gold.dim_patient GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 LIMIT 1) ORDER BY valid_from"
sql "SELECT patient_state, lines, patients, gross_charges FROM gold.billing_by_patient_state ORDER BY gross_charges DESC LIMIT 5"
sql "SELECT day, lines, gross_charges, payments, ar FROM gold.billing_daily ORDER BY day DESC LIMIT 4"
echo
"$CARELAKE" runs --project "$here" --limit 3
echo
echo "== carelake serve: the next day's drop lands in the landing folder and gold follows, no command typed"
# A user for the SQL server (a demo password; real ones come from a secret store).
"$CARELAKE" user remove analyst --project "$here" >/dev/null 2>&1 || true
CARELAKE_PASSWORD=demo-password "$CARELAKE" user add analyst --project "$here"
"$CARELAKE" serve --project "$here" --http 127.0.0.1:0 --pg 127.0.0.1:0 >"$here/reports/serve.out" 2>"$here/reports/serve.log" &
daemon=$!
trap 'kill -TERM "$daemon" 2>/dev/null || true' EXIT
value() { "$CARELAKE" sql --project "$here" --format csv "$1" | tail -1; }
for _ in $(seq 300); do grep -q '^ready' "$here/reports/serve.out" 2>/dev/null && break; sleep 0.1; done
cat "$here/reports/serve.out"
before=$(value "SELECT max(day) FROM gold.billing_daily")
start=$(date +%s%N)
"$CARELAKE" generate billing --out "$here/landing" --dirt 0.02 | tail -1
# Until the daemon's run for the drop has ended (gold is then complete).
for _ in $(seq 600); do
  now=$(value "SELECT max(day) FROM gold.billing_daily")
  last=$(value "SELECT status FROM _system.runs WHERE job = 'billing_drop' ORDER BY started_at DESC LIMIT 1")
  [ "$now" != "$before" ] && [ "$last" = succeeded ] && break
  sleep 0.1
done
echo "gold is up to date: billing_daily went from $before to $now, $(( ($(date +%s%N) - start) / 1000000 )) ms after the drop was written"
sql "SELECT day, lines, gross_charges, payments, ar FROM gold.billing_daily ORDER BY day DESC LIMIT 2"
if command -v psql >/dev/null; then
  pg_port=$(sed -n 's/.* pg=[^ ]*:\([0-9]*\).*/\1/p' "$here/reports/serve.out")
  echo "== the same gold, as a BI tool sees it: psql over PostgreSQL's protocol (TLS, SCRAM)"
  PGPASSWORD=demo-password psql -X "host=127.0.0.1 port=$pg_port dbname=billing user=analyst sslmode=require" \
    -c "SELECT day, lines, gross_charges, payments FROM gold.billing_daily ORDER BY day DESC LIMIT 2"
fi
kill -TERM "$daemon" && wait "$daemon"
trap - EXIT
echo "the daemon's log:"
cat "$here/reports/serve.log"
echo
ls "$here/reports"
echo "(open one of the .html files above in a browser: per rule, rows checked / failed / action, with examples)"
