#!/usr/bin/env bash
# The long form of every fuzz target: ISLANDER_FUZZ_ITERATIONS inputs each (default 20000; the unit tests run a few
# thousand with the same seed), then one line per target: inputs run and failures. A failure prints its case number and
# seed; ISLANDER_FUZZ_CASE=N with the same ISLANDER_FUZZ_SEED replays it alone.
#   bench/fuzz.sh                 # 20000 inputs per target
#   ISLANDER_FUZZ_ITERATIONS=100000 ISLANDER_FUZZ_SEED=7 bench/fuzz.sh
set -uo pipefail
cd "$(dirname "$0")/.."
export ISLANDER_FUZZ_ITERATIONS="${ISLANDER_FUZZ_ITERATIONS:-20000}"
export ISLANDER_FUZZ_REPORT
ISLANDER_FUZZ_REPORT="$(mktemp)"
trap 'rm -f "$ISLANDER_FUZZ_REPORT"' EXIT

dotnet build -c Release Islander.sln -nologo -v:q >/dev/null || { echo "build failed" >&2; exit 1; }
run() { # project, class filter
    dotnet test -c Release --project "tests/$1" --no-build --no-progress --filter-class "$2" >"/tmp/fuzz-$2.log" 2>&1 \
        || echo "  ($2 failed: see /tmp/fuzz-$2.log)"
}
run Islander.Model.Tests '*ManifestGrammarFuzzTests'
run Islander.Model.Tests '*QuantityFuzzTests'
run Islander.Drivers.Tests '*TarFuzzTests'
run Islander.Drivers.Tests '*ImageArchiveFuzzTests'
run Islander.Controller.Tests '*ApiFuzzTests'

printf '%-20s %10s %9s\n' target inputs failures
sort "$ISLANDER_FUZZ_REPORT" | awk '{ printf "%-20s %10d %9d\n", $1, $2, $3; i += $2; f += $3 } END { printf "%-20s %10d %9d\n", "total", i, f }'
