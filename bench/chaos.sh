#!/usr/bin/env bash
# islanderd SIGKILLed at random points of real work, restarted each time, and the machine checked after each round:
# the long form of the integration test DaemonChaosTests (the same code: isles on two networks with dir volumes,
# published ports, rollouts and imported images; kills during starts, deletes, network attaches, image uploads and
# unpacks, volume creates and rollouts; the checks of ChaosInvariants), with more isles and kills. Then the isle-side
# kills: an isle's PID 1 and its shim (Pid1OrShimSigkilled_...).
#   ISLES=50 KILLS=12 SEED=N bench/chaos.sh   (defaults, about 3 minutes; KILLS=100 for the long form; root)
# Prints each round (work, kill point, seconds to converge after the restart, violations), then kills survived, leaks
# found (each counted once) and the convergence median and max; every round runs, and the script exits non-zero at the
# end when a leak was found.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "$0: needs root (isles are real)" >&2; exit 1; }
isles=${ISLES:-50} kills=${KILLS:-12} seed=${SEED:-$RANDOM}
report=$(mktemp /tmp/islander-bench-chaos.XXXXXX)
trap 'rm -f "$report"' EXIT

dotnet build -c Release Islander.sln -nologo -v:q >/dev/null
run() { # test method filter
  ISLANDER_CHAOS_ISLES=$isles ISLANDER_CHAOS_KILLS=$kills ISLANDER_CHAOS_SEED=$seed ISLANDER_CHAOS_REPORT=$report ISLANDER_CHAOS_KEEP_GOING=1 \
    dotnet test -c Release --project tests/Islander.Integration.Tests --no-build --no-progress --filter-method "$1" \
    >"$report.out" 2>&1 || { cat "$report"; sed -n '1,200p' "$report.out"; rm -f "$report.out"; exit 1; }
  rm -f "$report.out"
}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
run '*DaemonSigkilledAtRandomPointsOfRealWork*'
cat "$report"
run '*Pid1OrShimSigkilled*'
echo "isle PID 1 and shim SIGKILLed (Always, Never; shim with islanderd up and down): restarted by policy, exit recorded, one init, logs and exec work"
