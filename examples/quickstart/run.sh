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
