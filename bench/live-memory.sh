#!/usr/bin/env bash
# A live memory change (issue 11's closing note): the time from a manifest edit that changes only resources.memory
# (the file renamed into place) to the new limit in the isle's cgroup file, N times, median; the isle's pid must not change.
#   sudo bench/live-memory.sh [N]
source "$(dirname "$0")/daemon-lib.sh"
n=${1:-9}
name=bench-live
names+=("$name")
memory_yaml() { printf '%s\n  resources: {memory: %s}\n' "$(isle_yaml "$name")" "$1"; }

start_daemon
write_manifest "$name.yaml" "$(memory_yaml 32Mi)"
for _ in $(seq 400); do [ "$(phase "$name")" = Running ] && break; sleep 0.05; done
pid=$(api "isles/$name" | jq -r .status.pid)
if [ -f /sys/fs/cgroup/memory/islander/$name/memory.limit_in_bytes ]; then file=/sys/fs/cgroup/memory/islander/$name/memory.limit_in_bytes
else file=/sys/fs/cgroup/islander/$name/memory.max; fi

times=()
for i in $(seq "$n"); do
  if (( i % 2 )); then want=$((48 << 20)); q=48Mi; else want=$((32 << 20)); q=32Mi; fi
  sleep 0.5 # the daemon idle again between edits
  start=$(now_ns)
  write_manifest "$name.yaml" "$(memory_yaml $q)"
  while read -r v < "$file"; [ "$v" != "$want" ]; do :; done
  times+=($(( ($(now_ns) - start) / 1000 )))
done
now=$(api "isles/$name" | jq -r .status.pid)
[ "$now" = "$pid" ] || { echo "pid changed: $pid -> $now" >&2; exit 1; }
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(sed -n "$(( (n + 1) / 2 ))p" <<<"$sorted")
echo "live memory change, manifest edit to cgroup file written: median $((median / 1000)).$(( (median % 1000) / 100 )) ms over $n edits (min $(( $(head -1 <<<"$sorted") / 1000 )) ms, max $(( $(tail -1 <<<"$sorted") / 1000 )) ms); pid $pid unchanged"
api events | jq -r --arg n "$name" '.items[] | select(.name == $n and .reason == "ResourcesUpdated") | .message' | tail -1
