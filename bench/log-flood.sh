#!/usr/bin/env bash
# An isle floods its stdout with 1 GiB (default) of 1 KiB lines through its shim, logging: {maxSize: 10Mi, maxFiles: 3}:
# bytes of its log on disk after, how long the flood took, the daemon's API latency (GET isles; median and p99)
# idle and during the flood, and the shims' PSS (an idle isle's, and the flooding one's during the flood).
#   sudo bench/log-flood.sh [MiB] [LINE_BYTES]
source "$(dirname "$0")/daemon-lib.sh"
mib=${1:-1024}
line=${2:-1024}
start_daemon
sleep 2 # JIT and the first scan out of the way

# One GET isles, its wall time in µs.
get_us() { curl -sf -o /dev/null -w '%{time_total}\n' --unix-socket "$sock" "http://islanderd/apis/islander.io/v1/isles" | awk '{printf "%d\n", $1 * 1000000}'; }
stats() { sort -n | awk '{a[NR]=$1} END {printf "median %.1f ms, p99 %.1f ms (n=%d)", a[int((NR+1)/2)]/1000, a[(int(NR*0.99) > 0) ? int(NR*0.99) : 1]/1000, NR}'; }
pss_kib() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup"; }
anon_kib() { awk '/^Pss_Anon:/ {print $2}' "/proc/$1/smaps_rollup"; }
shim_of() { awk '/^PPid:/ {print $2}' "/proc/$1/status"; }

idle=idle-$$; flood=flood-$$; names+=("$idle" "$flood")
write_manifest "$idle.yaml" "$(isle_yaml "$idle")"
until [ "$(phase "$idle")" = Running ]; do sleep 0.05; done
idle_pid=$(api "isles/$idle" | jq .status.pid)
sleep 1
idle_shim=$(shim_of "$idle_pid")
echo "idle isle's shim: PSS $(pss_kib "$idle_shim") KiB, of which anonymous $(anon_kib "$idle_shim") KiB (the rest: the static binary's pages, shared by every shim)"

for _ in $(seq 300); do get_us; done > "$work/idle.txt"
echo "GET isles, idle:         $(stats < "$work/idle.txt")"

# yes repeats one line of LINE_BYTES (its newline included); head stops it after MiB.
write_manifest "$flood.yaml" "$(printf 'apiVersion: islander.io/v1\nkind: Isle\nmetadata: {name: %s}\nspec:\n  rootfs: %s\n  command: [sh, -c, "yes $(yes x | head -c %d | tr -d %s) | head -c %d"]\n  restartPolicy: Never\n  logging: {maxSize: 10Mi, maxFiles: 3}\n' \
  "$flood" "$work/rootfs" $((2 * (line - 1))) "'\\\\n'" $((mib * 1024 * 1024)))"
t0=$(now_ns)
until [ "$(phase "$flood")" = Running ] || [ "$(phase "$flood")" = Succeeded ]; do sleep 0.01; done
flood_pid=$(api "isles/$flood" | jq .status.pid)
shim=$(shim_of "$flood_pid" 2>/dev/null || echo)
peak=0; peak_anon=0
: > "$work/flood.txt"
while [ "$(phase "$flood")" = Running ]; do
  get_us >> "$work/flood.txt"
  if [ -n "$shim" ] && [ -r "/proc/$shim/smaps_rollup" ]; then p=$(pss_kib "$shim" 2>/dev/null || echo 0); [ "${p:-0}" -gt "$peak" ] && peak=$p
    a=$(anon_kib "$shim" 2>/dev/null || echo 0); [ "${a:-0}" -gt "$peak_anon" ] && peak_anon=$a; fi
done
t1=$(now_ns)
echo "flood: $mib MiB in $line-byte lines took $(( (t1 - t0) / 1000000 )) ms ($(api "isles/$flood" | jq -r .status.phase), exit $(api "isles/$flood" | jq .status.exitCode))"
echo "GET isles, during flood: $(stats < "$work/flood.txt")"
echo "flooding shim: peak PSS $peak KiB, anonymous $peak_anon KiB"
ls -l "$work/state/isles/$flood"/log.json*
echo "log on disk: $(cat "$work/state/isles/$flood"/log.json* | wc -c) bytes in $(ls "$work/state/isles/$flood"/log.json* | wc -l) files (limit $((10 * 1024 * 1024 * 3)))"
