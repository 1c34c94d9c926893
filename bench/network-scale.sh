#!/usr/bin/env bash
# N isles from manifests, all written at once: time until every one is Running, and, the manifests removed, until none
# is left; once on one network (a Network manifest, each isle on it; the network made before the clock starts) and once
# without networks. A real islanderd (Release) on a temp directory, watched (bench/watch-isles.py). Rounds alternate
# networked and bare; medians. With ISLANDERD_B naming a second islanderd build, every round runs both builds, in
# alternating order, so a before/after comparison sees the same load. Each round also prints (stderr) the reconcile
# passes, by kind, that the start and the removal made: a count that does not depend on the load.
#   sudo bench/network-scale.sh [N=50] [ROUNDS=3]
#   sudo ISLANDERD_B=/tmp/old/islanderd bench/network-scale.sh 50 5
# WARM=1: each round first starts and removes the N isles once on the same daemon, untimed, so that the timed start and
# removal run on a warm daemon (the start path's code compiled) and measure the work, not the JIT.
source "$(dirname "$0")/daemon-lib.sh"
n=${1:-50}
rounds=${2:-3}
builds=("$islanderd")
# A cgroup parent of this run's own: isles of the same names under another islanderd (another run of this script)
# are never adopted, nor cleaned up, by this one.
cgroup_parent="islbench-$$"
daemon_args+=(--cgroup-parent "$cgroup_parent")
[ -n "${ISLANDERD_B:-}" ] && builds+=("$ISLANDERD_B")

passes() { # [network isle]: the reconcile passes so far (Network, Isle), less the given ones
  local m; m=$(curl -sf --unix-socket "$sock" http://islanderd/metrics)
  local n i; n=$(awk '/^islander_reconcile_duration_seconds_count\{kind="Network"\}/ {print $2}' <<< "$m"); i=$(awk '/^islander_reconcile_duration_seconds_count\{kind="Isle"\}/ {print $2}' <<< "$m")
  if [ $# = 0 ]; then echo "${n:-0} ${i:-0}"; else set -- $1; echo "$(( ${n:-0} - $1 )) $(( ${i:-0} - $2 ))"; fi
}
net_yaml='apiVersion: islander.io/v1
kind: Network
metadata: {name: benchnet}
spec: {subnet: 10.213.0.0/22, masquerade: true}
'
# islanderd runs in a network namespace of its own (bridges, veths' host ends and the nftables table there), so the
# machine's links and firewall, and any other islanderd's table, are never touched.
netns="islbench-$$"
ip netns add "$netns"
ip -n "$netns" link set lo up
trap 'cleanup; ip netns del "$netns" 2>/dev/null' EXIT
one_round() { # build networked(0|1) -> prints "start_ms remove_ms"
  printf '#!/bin/sh\nexec nsenter --net=/run/netns/%s %s "$@"\n' "$netns" "$(readlink -f "$1")" > "$work/islanderd-in-netns"
  chmod +x "$work/islanderd-in-netns"
  islanderd="$work/islanderd-in-netns"
  start_daemon
  if [ "$2" = 1 ]; then
    write_manifest benchnet.yaml "$net_yaml"
    until api networks/benchnet 2>/dev/null | jq -e '.status.phase == "Ready"' >/dev/null 2>&1; do sleep 0.05; done
  fi
  sleep 1
  [ "${WARM:-0}" = 1 ] && cycle "$2" >/dev/null 2>&1
  local times; times=$(cycle "$2")
  rm -f "$work"/manifests/*.yaml
  for _ in $(seq 200); do api networks | jq -e '.items | length == 0' >/dev/null 2>&1 && break; sleep 0.05; done
  kill -TERM "$dpid"; wait "$dpid" || true; dpid=
  rm -rf "$work/state" "$work/run" 2>/dev/null || { sleep 0.5; rm -rf "$work/state" "$work/run"; } # a file written while it was removed
  echo "$times" # last: the caller reads this line and starts the next daemon, on the same directories
}
cycle() { # networked(0|1) -> prints "start_ms remove_ms": the N isles written at once, to all Running, then removed
  for i in $(seq -w 1 "$n"); do
    local y; y=$(isle_yaml "ns-$i")
    [ "$1" = 1 ] && y="$y
  networks: [{name: benchnet}]"
    printf '%s' "$y" > "$work/manifests/.ns-$i.tmp"
  done
  local p0; p0=$(passes)
  t0=$(now_ns)
  for i in $(seq -w 1 "$n"); do mv "$work/manifests/.ns-$i.tmp" "$work/manifests/ns-$i.yaml"; done
  python3 bench/watch-isles.py "$sock" Running "$n" 600 # one watch: a poll's curl and jq would take the CPU measured
  t1=$(now_ns)
  local p1 started; p1=$(passes); started=$(passes "$p0")
  rm -f "$work"/manifests/ns-*.yaml
  python3 bench/watch-isles.py "$sock" none 0 600
  t2=$(now_ns)
  sleep 1 # the passes the removals queued
  echo "  network=$1: reconcile passes [Network Isle] to all Running: $started; for the removal: $(passes "$p1")" >&2
  echo "$(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 ))"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for i in $(seq -w 1 "$n"); do names+=("ns-$i"); done
declare -A res
for r in $(seq 1 "$rounds"); do
  order=("${builds[@]}"); [ $((r % 2)) = 0 ] && [ ${#builds[@]} = 2 ] && order=("${builds[1]}" "${builds[0]}")
  for b in "${order[@]}"; do
    for net in 1 0; do
      read -r s d < <(one_round "$b" "$net")
      res["$b|$net|start"]+="$s "; res["$b|$net|remove"]+="$d "
      echo "round $r, $b, network=$net: start ${s} ms, remove ${d} ms (load $(cut -d' ' -f1-3 /proc/loadavg))"
    done
  done
done
for b in "${builds[@]}"; do
  echo "== $b, $n isles, medians of $rounds rounds"
  for net in 1 0; do
    label=$([ "$net" = 1 ] && echo "one network" || echo "no network")
    echo "  $label: all Running $(echo ${res["$b|$net|start"]} | tr ' ' '\n' | median) ms, all removed $(echo ${res["$b|$net|remove"]} | tr ' ' '\n' | median) ms   (${res["$b|$net|start"]}/ ${res["$b|$net|remove"]})"
  done
done
