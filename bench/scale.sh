#!/usr/bin/env bash
# The scale rows alone, for one or more islanderd builds side by side: for each N of SCALE, N isles without networks
# from manifests (busybox sleep) on a fresh islanderd resyncing every RESYNC s: the time until all are Running, RSS,
# threads and open files of the quiet daemon, the no-op passes of RESYNCS consecutive resyncs (bench/scale-resyncs.py:
# the first resync apart, then the median of the others), islanderd's CPU time per resync over RESYNCS more, GET isles (median of GETS requests, curl on the socket) and
# the removal of all; +KiB/isle is the RSS added per isle since the previous N. Rounds alternate the builds' order, so a drift of the machine's load falls on all alike.
#   sudo bench/scale.sh [NAME=ISLANDERD[,VAR=VALUE...] ...]      (default: this checkout's Release build as "after")
#   sudo SCALE="10 50 200 1000" bench/scale.sh after=src/Islander.Controller/bin/Release/net10.0/islanderd \
#        before=/tmp/old/islanderd tiered=src/Islander.Controller/bin/Release/net10.0/islanderd,DOTNET_TieredCompilation=1
# Knobs: SCALE="10 50 200" ROUNDS=1 RESYNC=10 RESYNCS=4 GETS=10. Prints one line per measurement and a summary.
{ # the whole script is read before it runs: an edit of this file during a run does not change the run
source "$(dirname "$0")/daemon-lib.sh"
SCALE=${SCALE:-10 50 200} ROUNDS=${ROUNDS:-1} RESYNC=${RESYNC:-10} RESYNCS=${RESYNCS:-4} GETS=${GETS:-10}
[ $# -gt 0 ] || set -- "after=$islanderd"
cgroup_parent=islander-scale-$$
daemon_args=(--cgroup-parent "$cgroup_parent" --resync "$RESYNC")
# islanderd in a network namespace of its own: whatever it makes there never touches the machine's.
netns="islscale-$$"
ip netns add "$netns"
ip -n "$netns" link set lo up
trap 'cleanup; ip netns del "$netns" 2>/dev/null' EXIT
declare -A launcher
names_of=()
for spec in "$@"; do # NAME=PATH[,VAR=VALUE...] -> a launcher that keeps the pid (exec) and sets the variables
  name=${spec%%=*} rest=${spec#*=}
  IFS=, read -r -a parts <<< "$rest"
  launcher[$name]=$work/islanderd-$name
  printf '#!/bin/sh\nexec env %s nsenter --net=/run/netns/%s %s "$@"\n' "${parts[*]:1}" "$netns" "$(readlink -f "${parts[0]}")" > "${launcher[$name]}"
  chmod +x "${launcher[$name]}"
  names_of+=("$name")
done
running() { api isles | jq '[.items[] | select(.status.phase == "Running")] | length'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime of every thread, in clock ticks
ms() { echo $(( ($(now_ns) - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {if (NR) print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
results=$work/results.tsv
: > "$results"
rec() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$results"; echo "$1 n=$2 $3 = $4   (load $(cut -d' ' -f1-3 /proc/loadavg))"; }

one() { # name n
  local b=$1 n=$2 t0 i
  islanderd=${launcher[$b]}
  rm -rf "$work/state" "$work/run"
  start_daemon
  sleep 3
  t0=$(now_ns)
  for i in $(seq -w 1 "$n"); do names+=("sc-$i"); write_manifest "sc-$i.yaml" "$(isle_yaml "sc-$i")"; done
  until [ "$(running 2>/dev/null || echo 0)" = "$n" ]; do sleep 0.05; done
  rec "$b" "$n" start_ms "$(ms "$t0")"
  sleep 3
  rec "$b" "$n" rss_kib "$(rss_kib "$dpid")"
  rec "$b" "$n" threads "$(awk '/^Threads:/ {print $2}' "/proc/$dpid/status")"
  rec "$b" "$n" fds "$(ls "/proc/$dpid/fd" | wc -l)"
  local r=0 line
  while read -r line; do
    r=$((r + 1))
    rec "$b" "$n" "resync$r.sum_ms" "$(jq .sum_ms <<< "$line")"
    rec "$b" "$n" "resync$r.wall_ms" "$(jq .wall_ms <<< "$line")"
  done < <(python3 bench/scale-resyncs.py "$sock" "$n" "$RESYNCS" $((RESYNC * (RESYNCS + 2) + 120)) || true)
  # CPU time of islanderd (utime + stime, all its threads) over RESYNCS more resyncs, nothing polling it: per resync,
  # what a steady no-op resync costs the machine, whatever the load makes of wall times (ticks of 10 ms; +idle timers).
  local c0 c1
  c0=$(cpu_ticks "$dpid"); sleep $((RESYNC * RESYNCS)); c1=$(cpu_ticks "$dpid")
  rec "$b" "$n" cpu_ms_per_resync "$(( (c1 - c0) * 1000 / $(getconf CLK_TCK) / RESYNCS ))"
  local gets=()
  for i in $(seq "$GETS"); do t0=$(now_ns); api isles > /dev/null; gets+=("$(ms "$t0")"); done
  rec "$b" "$n" get_ms "$(printf '%s\n' "${gets[@]}" | median)"
  t0=$(now_ns)
  stop_daemon
  rec "$b" "$n" rm_ms "$(ms "$t0")"
}

for r in $(seq "$ROUNDS"); do
  order=("${names_of[@]}")
  [ $((r % 2)) = 0 ] && order=($(printf '%s\n' "${names_of[@]}" | tac))
  for n in $SCALE; do for b in "${order[@]}"; do one "$b" "$n"; done; done
done

echo "== summary (medians over $ROUNDS round(s); resync 1 is the first after the start, 2+ the median of the others)"
printf '%-8s %5s %9s %9s %9s %8s %5s %12s %12s %12s %12s %8s %8s\n' build n start_ms rss_MiB +KiB/isle threads fds resync1_ms resync2+_ms pass2+_ms cpu/resync_ms get_ms rm_ms
declare -A prev_n prev_rss
for n in $SCALE; do
  for b in "${names_of[@]}"; do
    v() { awk -F'\t' -v b="$b" -v n="$n" -v k="$1" '$1 == b && $2 == n && $3 ~ k {print $4}' "$results" | median; }
    rss=$(v '^rss_kib$')
    printf '%-8s %5s %9s %9s %9s %8s %5s %12s %12s %12s %12s %8s %8s\n' "$b" "$n" "$(v '^start_ms$')" \
      "$(awk -v r="$rss" 'BEGIN {printf "%.1f", r / 1024}')" "$(awk -v r="$rss" -v n="$n" -v pr="${prev_rss[$b]:-}" -v pn="${prev_n[$b]:-}" 'BEGIN {if (pn == "") print "-"; else printf "%.0f", (r - pr) / (n - pn)}')" \
      "$(v '^threads$')" "$(v '^fds$')" "$(v '^resync1.sum_ms$')" "$(v '^resync([2-9]|[1-9][0-9]).sum_ms$')" \
      "$(v '^resync([2-9]|[1-9][0-9]).sum_ms$' | awk -v n="$n" '{printf "%.3f", $1 / n}')" "$(v '^cpu_ms_per_resync$')" "$(v '^get_ms$')" "$(v '^rm_ms$')"
    prev_n[$b]=$n prev_rss[$b]=$rss
  done
done
exit
}
