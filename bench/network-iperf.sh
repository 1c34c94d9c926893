#!/usr/bin/env bash
# TCP throughput isle-to-isle over an islander bridge network, against two plain namespaces joined
# by a bridge made with `ip`, in the same run. Both setups live inside their own throwaway "host"
# namespace; nothing in the machine's namespace is touched. Prints the median of RUNS runs of each.
# usage: sudo bench/network-iperf.sh [RUNS=5] [SECONDS=5]     (needs iperf3, iproute2, nftables, dotnet)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
secs=${2:-5}
command -v iperf3 >/dev/null || { echo "iperf3 missing: apt-get install iperf3" >&2; exit 1; }

pids=()
netns() { # netns VAR: starts a namespace holder, sets VAR to its pid once it is inside its new namespace
  unshare --net sleep 3600 >/dev/null 2>&1 & local p=$!
  local self; self=$(readlink /proc/self/ns/net)
  while [ "$(readlink /proc/$p/ns/net 2>/dev/null)" = "$self" ] || [ "$(cat /proc/$p/comm 2>/dev/null)" != sleep ]; do sleep 0.01; done
  pids+=("$p"); printf -v "$1" '%s' "$p"
}
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
in_ns() { local p=$1; shift; nsenter -t "$p" -n -- "$@"; }

# islander: the driver in host namespace H1, isles A1 and B1, firewall (isolation/masquerade table) applied.
netns H1; netns A1; netns B1
# Build first so the timing printed below is the driver's, not the compiler's.
dotnet build bench/network-attach.cs -nologo -v:q >/dev/null
dotnet run bench/network-attach.cs --no-build -- "$H1" "$A1" "$B1" --firewall
in_ns "$H1" ip link set lo up

# plain: the same topology made with ip in host namespace H2.
netns H2; netns A2; netns B2
in_ns "$H2" sh -c 'ip link set lo up; ip link add br0 type bridge; ip addr add 10.212.0.1/24 dev br0; ip link set br0 up'
for pair in "$A2 a 2" "$B2 b 3"; do
  set -- $pair
  in_ns "$H2" ip link add "veth-$2" type veth peer name eth0 netns "$1"
  in_ns "$H2" sh -c "ip link set veth-$2 master br0 && ip link set veth-$2 up"
  in_ns "$1" sh -c "ip addr add 10.212.0.$3/24 dev eth0 && ip link set eth0 up && ip link set lo up && ip route add default via 10.212.0.1"
done

measure() { # client-pid server-pid -> Gbit/s of one run
  in_ns "$2" iperf3 -s -1 -D >/dev/null
  sleep 0.3
  in_ns "$1" iperf3 -c 10.212.0.3 -t "$secs" -J | python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))'
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

isl=(); plain=()
for i in $(seq "$runs"); do # interleaved, so drift on the machine hits both alike
  isl+=("$(measure "$A1" "$B1")")
  plain+=("$(measure "$A2" "$B2")")
done
mi=$(printf '%s\n' "${isl[@]}" | median)
mp=$(printf '%s\n' "${plain[@]}" | median)
echo "islander bridge (driver + firewall): ${isl[*]} Gbit/s -> median $mi"
echo "plain ip bridge:                     ${plain[*]} Gbit/s -> median $mp"
python3 -c "print('islander/plain: %.1f%%' % (100*$mi/$mp))"
echo "br_netfilter in the bench namespaces: bridge-nf-call-iptables=$(in_ns "$H1" cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || echo n/a)"
