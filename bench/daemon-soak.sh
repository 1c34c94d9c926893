#!/usr/bin/env bash
# islanderd's RSS over a soak of starts and stops: CYCLES one-shot `islanderctl run --rm --network host ... /bin/true`
# through a real islanderd (create through the API, start, follow to the exit, delete: an isle started and removed per
# cycle), default 200, 10000 for the long form. RSS (VmRSS) fresh after 5 s idle, every STEP cycles, and after the
# load once the daemon has been quiet for 35 s (IdleMemoryTrim's two trims); the figure must stay flat, not grow
# with the cycles. ISLANDERD names another islanderd (the package's, as bench/daemon-rss-builds.sh extracts it);
# DAEMON_ENV adds variables to its environment (e.g. "DOTNET_TieredCompilation=1" to compare a setting); ISLANDERCTL
# names an islanderctl already built (default: the NativeAOT one users get, published here). PARALLEL runs that many
# one-shots at a time (default 1; bench/compare.sh's soak runs 4, which makes the 10000-cycle form take minutes, not an
# hour, on 2 vCPUs).
#   sudo [PARALLEL=4] bench/daemon-soak.sh [CYCLES] [STEP]
source "$(dirname "$0")/daemon-lib.sh"
cycles=${1:-200}
step=${2:-$(( cycles >= 1000 ? 1000 : 50 ))}
source bench/runc-lib.sh

if [ -n "${ISLANDERCTL:-}" ]; then ctl=("$ISLANDERCTL" --socket "$sock")
else publish_ctl; ctl=("$work/ctl/islanderctl" --socket "$sock"); fi

# shellcheck disable=SC2086 # DAEMON_ENV is a list of NAME=VALUE words
[ -n "${DAEMON_ENV:-}" ] && export ${DAEMON_ENV}
start_daemon
sleep 5 # first passes and JIT settle
fresh=$(rss_kib "$dpid")
echo "islanderd RSS fresh: $((fresh / 1024)) MiB"
peak=$fresh
parallel=${PARALLEL:-1}
failed=0
t0=$(now_ns)
one_shot() { "${ctl[@]}" run --rm --network host --rootfs "$work/rootfs" -- /bin/true >/dev/null 2>&1 || echo failed; }
export -f one_shot; export work; export ctl_words="${ctl[*]}"
for (( i = step; i <= cycles; i += step )); do
  # STEP one-shots, PARALLEL at a time; a failed one prints a word.
  failed=$(( failed + $(seq "$step" | xargs -P "$parallel" -I{} bash -c 'ctl=($ctl_words); one_shot' | wc -l) ))
  rss=$(rss_kib "$dpid"); (( rss > peak )) && peak=$rss
  echo "after $i cycles: RSS $((rss / 1024)) MiB ($(( ($(now_ns) - t0) / 1000000 / i )) ms a cycle, $parallel at a time, $failed failed)"
done
left=$(count_isles)
sleep 35 # the API quiet: IdleMemoryTrim's first trim after 5 s, its second after 25 s
after=$(rss_kib "$dpid")
echo "islanderd RSS after $cycles starts and stops, 35 s quiet: $((after / 1024)) MiB (fresh $((fresh / 1024)) MiB, peak $((peak / 1024)) MiB, $left isles left, threads $(ls "/proc/$dpid/task" | wc -l))"
# A failed run is reported after the figures, which a long soak should not lose to it.
(( failed == 0 )) || { echo "$failed of $cycles runs failed" >&2; exit 1; }
