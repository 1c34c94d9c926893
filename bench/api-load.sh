#!/usr/bin/env bash
# 100 API clients against a real islanderd (Release) for a minute: requests, errors and latency (median/p90/p99/max)
# per kind of client, from bench/ApiLoad; and islanderd's memory before, during, and 30 s after the load.
# ISLES isles (busybox rootfs) each write a log line every 0.5 s. The clients (each its own connection):
#   GET clients loop `GET isles`, LOGS clients follow an isle's log (-f) and EVENTS clients watch the events for the
#   whole run, APPLY clients loop `apply` of an isle of their own (a new label and the other memory limit each time).
# Memory: VmRSS each second; with dotnet-counters (`dotnet tool install -g dotnet-counters`), the GC heap too.
#   sudo bench/api-load.sh [SECONDS] [ISLES]      default 60 s, 20 isles (the long form: e.g. 600)
#   GET=40 LOGS=30 EVENTS=20 APPLY=10 GET_PAUSE_MS=0 APPLY_PAUSE_MS=250 AFTER=30 sudo bench/api-load.sh
source "$(dirname "$0")/daemon-lib.sh"
seconds=${1:-60}
isles=${2:-20}
GET=${GET:-40} LOGS=${LOGS:-30} EVENTS=${EVENTS:-20} APPLY=${APPLY:-10}
GET_PAUSE_MS=${GET_PAUSE_MS:-0} APPLY_PAUSE_MS=${APPLY_PAUSE_MS:-250} AFTER=${AFTER:-30}
dotnet build -c Release bench/ApiLoad -nologo -v:q >/dev/null
load=bench/ApiLoad/bin/Release/net10.0/ApiLoad
counters=$(command -v dotnet-counters || { [ -x "$HOME/.dotnet/tools/dotnet-counters" ] && echo "$HOME/.dotnet/tools/dotnet-counters"; } || true)

writer_yaml() { # name
  printf 'apiVersion: islander.io/v1\nkind: Isle\nmetadata: {name: %s}\nspec:\n  rootfs: %s\n  command: [sh, -c, "i=0; while true; do echo line $i of $HOSTNAME; i=$((i+1)); sleep 0.5; done"]\n  restartPolicy: Always\n  stopTimeout: 1s\n' "$1" "$work/rootfs"
}

start_daemon
for i in $(seq 1 "$isles"); do
  name="load-$$-$i"; names+=("$name")
  write_manifest "$name.yaml" "$(writer_yaml "$name")"
done
for i in $(seq 1 "$APPLY"); do names+=("apiload-$((i - 1))"); done
for _ in $(seq 600); do
  [ "$(api isles | jq '[.items[] | select(.status.phase == "Running")] | length')" = "$isles" ] && break
  sleep 0.1
done
sleep 5 # JIT, the first passes and the isles' first lines out of the way

# Memory and threads each second, with the phase it is in: "phase epoch rss_kib threads".
phase_file="$work/phase"; echo before > "$phase_file"
threads() { awk '/^Threads/ {print $2}' "/proc/$1/status"; }
( while kill -0 "$dpid" 2>/dev/null; do echo "$(cat "$phase_file") $(date +%s) $(rss_kib "$dpid") $(threads "$dpid")"; sleep 1; done ) > "$work/rss" &
sampler=$!
if [ -n "$counters" ]; then
  "$counters" collect -p "$dpid" --counters System.Runtime --refresh-interval 1 --format csv -o "$work/counters.csv" >/dev/null 2>&1 &
  collector=$!
fi
sleep 5

echo load > "$phase_file"
echo "islanderd pid $dpid, $isles isles writing logs; $seconds s: $GET get, $LOGS logs -f, $EVENTS events -w, $APPLY apply clients (load average $(cut -d' ' -f1-3 /proc/loadavg))"
set +e
"$load" --socket "$sock" --seconds "$seconds" --get "$GET" --logs "$LOGS" --events "$EVENTS" --apply "$APPLY" --rootfs "$work/rootfs" \
  --get-pause-ms "$GET_PAUSE_MS" --apply-pause-ms "$APPLY_PAUSE_MS" ${JSON:+--json}
status=$?
set -e
echo after > "$phase_file"
sleep "$AFTER"
echo end > "$phase_file"
sleep 1.5
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
# TERM, not INT: a background job of a script ignores SIGINT. The CSV has every line written so far.
if [ -n "${collector:-}" ]; then kill -TERM "$collector" 2>/dev/null; wait "$collector" 2>/dev/null || true; fi

mib() { awk '{printf "%.0f", $1/1024}'; }
before=$(awk '$1 == "before" {v=$3} END {print v}' "$work/rss" | mib)
during_med=$(awk '$1 == "load" {print $3}' "$work/rss" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}' | mib)
during_max=$(awk '$1 == "load" {print $3}' "$work/rss" | sort -n | tail -1 | mib)
after=$(awk '$1 == "after" {v=$3} END {print v}' "$work/rss" | mib)
echo "islanderd VmRSS: before ${before} MiB, during median ${during_med} MiB (peak ${during_max} MiB), ${AFTER} s after ${after} MiB"
echo "islanderd threads: before $(awk '$1 == "before" {v=$4} END {print v}' "$work/rss"), during peak $(awk '$1 == "load" {print $4}' "$work/rss" | sort -n | tail -1), ${AFTER} s after $(awk '$1 == "after" {v=$4} END {print v}' "$work/rss")"
if [ -s "$work/counters.csv" ]; then
  # The GC heap (after the last collection) in the same phases, by the counters' timestamps.
  # The GC heap (all generations, after the last collection) and the GC's committed memory in the same phases, by
  # the counters' timestamps.
  python3 - "$work/rss" "$work/counters.csv" <<'PY'
import csv, sys, datetime, collections
phases = [(l.split()[0], int(l.split()[1])) for l in open(sys.argv[1]) if len(l.split()) >= 3]
def phase(t):
    p = None
    for name, epoch in phases:
        if epoch <= t: p = name
    return p
series = collections.defaultdict(lambda: collections.defaultdict(float))  # counter -> timestamp -> value
names = {"dotnet.gc.last_collection.heap.size": "heap", "dotnet.gc.last_collection.memory.committed_size": "committed"}
for row in csv.reader(open(sys.argv[2])):
    if len(row) < 5: continue
    key = next((v for k, v in names.items() if row[2].startswith(k + " ")), None)
    if key is None: continue
    try: t = int(datetime.datetime.strptime(row[0], "%m/%d/%Y %H:%M:%S").replace(tzinfo=datetime.timezone.utc).timestamp())
    except ValueError: continue
    series[key][t] += float(row[4])
def summary(key, scale, unit):
    by = collections.defaultdict(list)
    for t, v in series[key].items(): by[phase(t)].append(v / scale)
    f = lambda xs: f"{sorted(xs)[len(xs)//2]:.0f}{unit} (peak {max(xs):.0f})" if xs else "-"
    last = lambda xs: f"{xs[-1]:.0f}{unit}" if xs else "-"
    return f"before {last(by['before'])}, during median {f(by['load'])}, after {last(by['after'])}"
print("islanderd GC heap:      " + summary("heap", 2**20, " MiB"))
print("islanderd GC committed: " + summary("committed", 2**20, " MiB"))
PY
fi
exit $status
