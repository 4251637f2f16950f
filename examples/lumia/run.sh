#!/usr/bin/env bash
# The Lumia demo (seed 000): generate chatbot documents with some dirt, run the
# pipeline (bronze -> silver with data-quality rules -> gold), print the
# business answers and the data-quality summary, then show an incremental run.
set -euo pipefail
CARELAKE=${1:-build/bin/carelake}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$here/landing" "$here/lake"
sql() { "$CARELAKE" sql --project "$here" --format table "$@"; }

echo "== generating 100,000 synthetic Lumia chatbot interactions (1% dirty, one truncated file)"
"$CARELAKE" generate lumia --out "$here/landing" --records 100000 --files 4 --dirt 0.01
echo
echo "== carelake run --project examples/lumia"
"$CARELAKE" run --project "$here"
echo
echo "== value moved and appointments by specialty"
sql "SELECT specialty, appointments, value_moved, interactions FROM gold.revenue_by_specialty ORDER BY value_moved DESC"
echo
echo "== appointments by specialty and age band"
sql "PIVOT gold.appointments_by_specialty_age_band ON age_band USING sum(appointments) GROUP BY specialty ORDER BY specialty"
echo
echo "== the most sought-after hours"
sql "SELECT hour, appointments FROM gold.busiest_hours WHERE popularity_rank <= 5 ORDER BY popularity_rank"
echo
echo "== feedback rate and scores"
sql "SELECT specialty, interactions, round(feedback_rate, 3) AS feedback_rate, round(avg_professional_rating, 2) AS professional, round(avg_overall_rating, 2) AS overall FROM gold.feedback_summary ORDER BY specialty = 'all', specialty"
echo
echo "== usage by wish over time (per quarter)"
sql "SELECT date_trunc('quarter', day) AS quarter, wish, sum(interactions) AS interactions FROM gold.usage_by_wish_daily GROUP BY ALL ORDER BY 1, 2"
echo
echo "== gold.lumia_monthly, the seed's mart (first months)"
sql "SELECT month, wish, interactions, round(feedback_rate, 3) AS feedback_rate, round(avg_professional_rating, 2) AS avg_prof, round(avg_overall_rating, 2) AS avg_overall, budget_total, round(avg_age, 1) AS avg_age FROM gold.lumia_monthly ORDER BY month, wish LIMIT 9"
echo
echo "== data quality of the run"
"$CARELAKE" dq report --project "$here"
echo
echo "== hour 24 fixed and flagged, as the rule says"
sql "SELECT scheduled_at, _dq_fixes FROM silver.interactions WHERE list_contains(_dq_fixes, 'scheduled_hour_24') LIMIT 3"
echo
echo "== a new batch arrives: only it is processed; then a rerun with nothing new"
"$CARELAKE" generate lumia --out "$here/landing" --records 5000 --seed 7 --first-id 200001
"$CARELAKE" run --project "$here"
"$CARELAKE" run --project "$here"
echo
"$CARELAKE" runs --project "$here" --limit 3
