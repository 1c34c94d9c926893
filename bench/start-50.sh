#!/usr/bin/env bash
# 50 isles without networks (busybox sleep) from manifests moved into the directory at once (daemon-lib.sh's
# publish_manifests), on a fresh islanderd each round: the time until all are Running, then until all are removed.
# With ISLANDERD_B naming a second build, the rounds alternate the two builds' order, so a drift of the machine's load
# falls on both alike; islanderd runs in a network namespace of its own.
#   sudo ISLANDERD=/tmp/old/islanderd ISLANDERD_B=/tmp/new/islanderd bench/start-50.sh [ROUNDS=5]
source "$(dirname "$0")/daemon-lib.sh"
cgroup_parent=islab-$$
daemon_args=(--cgroup-parent "$cgroup_parent")
netns="islab-$$"; ip netns add "$netns"; ip -n "$netns" link set lo up
trap 'cleanup; ip netns del "$netns" 2>/dev/null' EXIT
declare -A res
islanderd_a=$islanderd
for round in $(seq "${1:-5}"); do
  order=("$islanderd_a" ${ISLANDERD_B:+"$ISLANDERD_B"})
  [ $((round % 2)) = 0 ] && [ ${#order[@]} = 2 ] && order=("${order[1]}" "${order[0]}")
  for b in "${order[@]}"; do
    printf '#!/bin/sh\nexec nsenter --net=/run/netns/%s %s "$@"\n' "$netns" "$(readlink -f "$b")" > "$work/islanderd-in-netns"; chmod +x "$work/islanderd-in-netns"; islanderd="$work/islanderd-in-netns"
    rm -rf "$work/state" "$work/run"; start_daemon; sleep 3
    for i in $(seq -w 1 50); do names+=("pp-$i"); stage_manifest "pp-$i.yaml" "$(isle_yaml "pp-$i")"; done
    t0=$(now_ns); publish_manifests
    python3 bench/watch-isles.py "$sock" Running 50 120
    ms=$(( ($(now_ns) - t0) / 1000000 )); res[$b]+="$ms "
    t0=$(now_ns); rm -f "$work"/manifests/*.yaml; python3 bench/watch-isles.py "$sock" none 0 300; rm_ms=$(( ($(now_ns) - t0) / 1000000 ))
    echo "round $round $b: start $ms ms, remove $rm_ms ms (load $(cut -d' ' -f1 /proc/loadavg))"
    kill -TERM "$dpid"; wait "$dpid" || true; dpid=
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for b in "$islanderd_a" ${ISLANDERD_B:+"$ISLANDERD_B"}; do echo "$b: start ms ${res[$b]}(median $(median <<< "${res[$b]}"))"; done
