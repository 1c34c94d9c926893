#!/usr/bin/env bash
# Where one islanderd's memory goes, at the three points the README's "Memory" table reports: fresh, with N real
# busybox isles running `sleep 1000` (default 50, no networks), and after CYCLES one-shot
# `islanderctl run --rm --network host` runs (default 100) with the isles still there. Each point is read 5 s after
# the work and again after 35 s of quiet (IdleMemoryTrim's two trims), as VmRSS and /proc/PID/smaps grouped:
#   file  mapped from disk (assemblies or the single file's bundle, the runtime's and the system's .so files),
#   jit   JIT code and stubs (the W^X double mapping, a memfd named doublemapper),
#   anon  the rest (GC heap, loader heaps, malloc, thread stacks);
# plus the thread count, and with GC_HEAP=1 the GC heap after the last collection (from /metrics: a request, which
# compiles the metrics path and restarts the quiet period, so the later figures then include it). HOLD=SECONDS keeps
# the daemon up at the end, to look at it (dotnet-gcdump). ISLANDERD names the build (default the Release build); several runs of this script may run at
# once on the same machine (own state, run directory, manifests, socket and isle names), which is how builds are
# compared: a quiet daemon's RSS does not depend on the load, only the wall times do. WARM=1 first starts N isles and
# removes them, so the code their paths need is compiled before the "fresh" and "N isles" points: the difference between
# those two is then what the isles themselves hold (divided by N, per isle). CYCLES=0 runs no one-shots.
#   sudo [ISLANDERD=path] [WARM=1] bench/daemon-memory.sh [N] [CYCLES]
source "$(dirname "$0")/daemon-lib.sh"
n=${1:-50}
cycles=${2:-100}
source bench/runc-lib.sh
if [ -n "${ISLANDERCTL:-}" ]; then ctl=("$ISLANDERCTL" --socket "$sock")
elif (( cycles > 0 )); then publish_ctl; ctl=("$work/ctl/islanderctl" --socket "$sock"); fi

# VmRSS and the smaps groups, in MiB, and the threads.
report() { # label
  local rss heap=-
  rss=$(rss_kib "$dpid") # before the /metrics request, which its JIT code and allocations would count in
  [ -n "${GC_HEAP:-}" ] && heap=$(curl -sf --unix-socket "$sock" http://islanderd/metrics | awk '/^islander_dotnet_gc_heap_bytes / {print int($2 / 1048576)}')
  awk -v label="$1" -v heap="$heap" -v rss="$rss" -v threads="$(ls "/proc/$dpid/task" | wc -l)" '
    /^[0-9a-f]+-[0-9a-f]+ / { name = $6; kind = name ~ /doublemapper/ ? "jit" : name ~ /^\// ? "file" : "anon"; next }
    /^Rss:/ { sum[kind] += $2 }
    END { printf "%-28s RSS %4d MiB   file %3d  jit %3d  anon %3d MiB (GC heap %s)   %d threads\n", label, rss / 1024, sum["file"] / 1024, sum["jit"] / 1024, sum["anon"] / 1024, heap, threads }
  ' "/proc/$dpid/smaps"
  # GCDUMP=DIR: the GC heap's objects by type at each point (dotnet-gcdump on PATH; it collects, so later points shrink).
  [ -z "${GCDUMP:-}" ] || dotnet-gcdump collect -p "$dpid" -o "$GCDUMP/${1//[^a-z0-9]/_}.gcdump" >/dev/null
}

echo "islanderd: $islanderd"
start_daemon
if [ -n "${WARM:-}" ]; then
  start_isles "warm-$$" "$n"
  rm -f "$work"/manifests/*.yaml
  wait_empty
  sleep 5; report "$n started and removed, 5 s"
  sleep 30; report "$n started and removed, 35 s quiet"
  start_isles "mem-$$" "$n"
  [ "$running" = "$n" ] || { echo "only $running/$n isles Running" >&2; exit 1; }
  sleep 5; report "$n isles again, 5 s"
  sleep 30; report "$n isles again, 35 s quiet"
  if [ -n "${HOLD:-}" ]; then echo "holding: pid $dpid, socket $sock"; sleep "$HOLD"; fi
  exit
fi
sleep 5; report "fresh, 5 s"
sleep 30; report "fresh, 35 s quiet"

start_isles "mem-$$" "$n"
[ "$running" = "$n" ] || { echo "only $running/$n isles Running" >&2; exit 1; }
sleep 5; report "$n isles, 5 s"
sleep 30; report "$n isles, 35 s quiet"

failed=0
for _ in $(seq 1 "$cycles"); do
  "${ctl[@]}" run --rm --network host --rootfs "$work/rootfs" -- /bin/true >/dev/null 2>&1 || failed=$((failed + 1))
done
(( failed == 0 )) || { echo "$failed of $cycles runs failed" >&2; exit 1; }
sleep 5; report "+$cycles one-shots, 5 s"
sleep 30; report "+$cycles one-shots, 35 s quiet"
if [ -n "${HOLD:-}" ]; then echo "holding: pid $dpid, socket $sock"; sleep "$HOLD"; fi
