#!/usr/bin/env bash
# One-shots through islanderd (`islanderctl run --rm -- /bin/true`), on a bridge network and on the host's network,
# timed as whole commands; with ISLANDERD_B naming a second islanderd build, each round runs both builds in alternating
# order (a fresh daemon each, the same load), medians per build. Then, per build, what the daemon does for RUNS bridge
# one-shots, counted (load-independent): nft processes, veth deletes, fsyncs, syscalls, netlink sockets and sends (strace -f on islanderd;
# KEEP_STRACE=PREFIX keeps each build's trace).
# islanderd runs in a network namespace of its own, so the machine's links and firewall are never touched.
#   sudo bench/network-oneshot.sh [RUNS=20] [ROUNDS=3]
#   sudo ISLANDERD_B=/tmp/old/islanderd bench/network-oneshot.sh 20 3
# ISLANDERCTL_B names the second build's islanderctl (default: the same islanderctl for both).
source "$(dirname "$0")/daemon-lib.sh"
runs=${1:-20}
rounds=${2:-3}
ctl=${ISLANDERCTL:-islanderctl}
builds=("$islanderd")
# A cgroup parent of this run's own: isles of the same names under another islanderd (another run of this script)
# are never adopted, nor cleaned up, by this one.
cgroup_parent="islbench-$$"
daemon_args+=(--cgroup-parent "$cgroup_parent")
[ -n "${ISLANDERD_B:-}" ] && builds+=("$ISLANDERD_B")
declare -A ctl_of=(["$islanderd"]="$ctl")
[ -n "${ISLANDERD_B:-}" ] && ctl_of["$ISLANDERD_B"]=${ISLANDERCTL_B:-$ctl}
net_yaml='apiVersion: islander.io/v1
kind: Network
metadata: {name: shotnet}
spec: {subnet: 10.214.0.0/24}
'
netns="islshot-$$"
ip netns add "$netns"
ip -n "$netns" link set lo up
trap 'cleanup; ip netns del "$netns" 2>/dev/null' EXIT

daemon_of() { # build: starts it in the namespace, with the network Ready
  printf '#!/bin/sh\nexec nsenter --net=/run/netns/%s %s "$@"\n' "$netns" "$(readlink -f "$1")" > "$work/islanderd-in-netns"
  chmod +x "$work/islanderd-in-netns"
  islanderd="$work/islanderd-in-netns"
  start_daemon
  write_manifest shotnet.yaml "$net_yaml"
  until api networks/shotnet 2>/dev/null | jq -e '.status.phase == "Ready"' >/dev/null 2>&1; do sleep 0.05; done
  ctl=${ctl_of[$1]}
  "$ctl" --socket "$sock" run --rm --network shotnet --rootfs "$work/rootfs" -- /bin/true # first run: JIT, bridge sysctls
}
stop() {
  rm -f "$work"/manifests/*.yaml
  for _ in $(seq 200); do api networks | jq -e '.items | length == 0' >/dev/null 2>&1 && break; sleep 0.05; done
  kill -TERM "$dpid"; wait "$dpid" || true; dpid=
  rm -rf "$work/state" "$work/run"
}
shot() { # network -> ms
  local t0; t0=$(now_ns)
  "$ctl" --socket "$sock" run --rm --network "$1" --rootfs "$work/rootfs" -- /bin/true
  echo $(( ($(now_ns) - t0) / 1000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A res
for r in $(seq 1 "$rounds"); do
  order=("${builds[@]}"); [ $((r % 2)) = 0 ] && [ ${#builds[@]} = 2 ] && order=("${builds[1]}" "${builds[0]}")
  for b in "${order[@]}"; do
    daemon_of "$b"
    for _ in $(seq "$runs"); do
      res["$b|bridge"]+="$(shot shotnet) "
      res["$b|host"]+="$(shot host) "
    done
    stop
    echo "round $r, $b done (load $(cut -d' ' -f1-3 /proc/loadavg))"
  done
done
for b in "${builds[@]}"; do
  echo "== $b: medians of $((runs * rounds)) one-shots, µs"
  for net in bridge host; do echo "  $net: $(echo ${res["$b|$net"]} | tr ' ' '\n' | median)"; done
done
# Counts: RUNS bridge one-shots with islanderd under strace.
for b in "${builds[@]}"; do
  daemon_of "$b"
  strace -f -qq -tt -T -e signal=none -o "$work/strace" -p "$dpid" & spid=$!
  sleep 1
  for _ in $(seq "$runs"); do shot shotnet >/dev/null; done
  sleep 0.5
  kill -INT "$spid"; wait "$spid" 2>/dev/null || true
  echo "== $b: $runs bridge one-shots, per one-shot"
  awk -v n="$runs" '/execve\(".*\/nft"/ {nft++} /sendto\(.*nlmsg_type=0x11 / {del++} /fsync\(|fdatasync\(/ {fs++} / = / {all++}
    /socket\(AF_NETLINK/ {sk++} /NETLINK_NETFILTER/ {nf++} /sendto\([0-9]+, \[+\{nlmsg_len/ {nl++}
    END {printf "  nft processes %.1f, RTM_DELLINK %.1f, fsync %.1f, syscalls %.0f, netlink sockets %.1f (NETLINK_NETFILTER %.1f), netlink sends %.1f\n", nft / n, del / n, fs / n, all / n, sk / n, nf / n, nl / n}' "$work/strace"
  [ -n "${KEEP_STRACE:-}" ] && cp "$work/strace" "$KEEP_STRACE.$(echo "$b" | md5sum | cut -c1-8)"
  stop
done
