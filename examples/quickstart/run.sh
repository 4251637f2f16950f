#!/usr/bin/env bash
# The quickstart demo: generates a synthetic admissions export, then answers
# questions over it with `carelake sql`.
set -euo pipefail
CARELAKE=${1:-build/bin/carelake}
here=$(cd "$(dirname "$0")" && pwd)
landing="$here/landing"
mkdir -p "$landing"

"$CARELAKE" version
echo
echo "== generating 20,000 synthetic admissions into $landing/admissions.csv"
sed "s|__LANDING__|$landing|g" "$here/generate.sql" | "$CARELAKE" sql --format csv >/dev/null
echo "   $(($(wc -l <"$landing/admissions.csv") - 1)) rows written"
echo
echo "== admissions, stay and charges by department; busiest hours"
sed "s|__LANDING__|$landing|g" "$here/report.sql" | "$CARELAKE" sql --format table

echo
echo "== the export as a Delta table partitioned by department, then an update by key"
lake="$here/lake"
rm -rf "$lake"
"$CARELAKE" table write "$lake/admissions" --partition-by department \
  --query "SELECT * FROM read_csv('$landing/admissions.csv')"
"$CARELAKE" table merge "$lake/admissions" --key admission_id \
  --query "SELECT * REPLACE (stay_hours + 24 AS stay_hours)
           FROM read_csv('$landing/admissions.csv') WHERE admission_id % 100 = 0"
"$CARELAKE" table history "$lake/admissions"
echo
echo "== time travel: Cardiology's average stay now and at version 0, read with delta_scan()"
"$CARELAKE" sql --format table "
  SELECT 'now' AS version, count(*) AS stays, round(avg(stay_hours), 2) AS avg_stay_hours
  FROM delta_scan('$lake/admissions') WHERE department = 'Cardiology'
  UNION ALL
  SELECT 'v0', count(*), round(avg(stay_hours), 2)
  FROM delta_scan('$lake/admissions', version => 0) WHERE department = 'Cardiology'"
