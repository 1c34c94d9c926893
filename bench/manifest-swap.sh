#!/usr/bin/env bash
# A manifests directory of N isle manifests (default 500) that is a symbolic link, swapped git-sync's way
# (ln -s rev2 tmp && mv -T tmp manifests) to a revision where C of them (default 5) changed their command. Reports,
# over R swaps back and forth (default 3), the time from the swap to every changed isle's new generation in the API
# (the revision applied) and to all of them running again with a new pid (median), and the isles that did not change
# but were restarted (a new pid, a restart counted, a new generation): must be 0.
#   sudo bench/manifest-swap.sh [N] [C] [R]
source "$(dirname "$0")/daemon-lib.sh"
n=${1:-500}
c=${2:-5}
r=${3:-3}
rmdir "$work/manifests"
for i in $(seq "$n"); do names+=("bench-swap-$i"); done

revision() { # dir command-of-the-changed-ones
  mkdir -p "$1"
  for i in $(seq "$n"); do
    if (( i <= c )); then cmd=$2; else cmd=1000; fi
    isle_yaml "bench-swap-$i" | sed "s/\"1000\"/\"$cmd\"/" > "$1/isle-$i.yaml"
  done
}
swap() { ln -s "$1" "$work/manifests.tmp" && mv -T "$work/manifests.tmp" "$work/manifests"; }
unchanged() { awk -v c="$c" '{ split($1, a, "-"); if (a[3] + 0 > c) print }'; }
state() { api isles | jq -r '.items[] | "\(.metadata.name) \(.status.pid) \(.status.restartCount // 0) \(.metadata.generation) \(.status.phase)"' | sort; }

revision "$work/rev0" 1000
revision "$work/rev1" 1001
revision "$work/rev2" 1000
swap "$work/rev0"
start_daemon
echo "starting $n isles..." >&2
for _ in $(seq 3000); do [ "$(api isles | jq '[.items[] | select(.status.phase == "Running")] | length')" = "$n" ] && break; sleep 0.2; done
[ "$(api isles | jq '[.items[] | select(.status.phase == "Running")] | length')" = "$n" ] || { echo "not all $n isles running" >&2; exit 1; }
sleep 2

applied=() running=() restarted=0
for round in $(seq "$r"); do
  target="$work/rev$(( (round - 1) % 2 + 1 ))"
  before=$(state)
  gen=$(api isles/bench-swap-1 | jq .metadata.generation)
  old=$(for i in $(seq "$c"); do api "isles/bench-swap-$i" | jq .status.pid; done)
  start=$(now_ns)
  swap "$target"
  until [ "$(for i in $(seq "$c"); do api "isles/bench-swap-$i" | jq .metadata.generation; done | sort -u)" = "$((gen + 1))" ]; do :; done
  applied+=($(( ($(now_ns) - start) / 1000 )))
  until [ "$(for i in $(seq "$c"); do api "isles/bench-swap-$i" | jq -r 'select(.status.phase == "Running") | .status.pid'; done | grep -cvxF -f <(echo "$old"))" = "$c" ]; do sleep 0.01; done
  running+=($(( ($(now_ns) - start) / 1000 )))
  sleep 3 # anything else the swap would do, done
  after=$(state)
  [ "$(unchanged <<<"$after" | grep -c ' Running$')" = "$((n - c))" ] || { echo "not every unchanged isle is listed Running" >&2; exit 1; }
  changed=$(diff <(unchanged <<<"$before") <(unchanged <<<"$after") | grep -c '^>' || true)
  restarted=$((restarted + changed))
  echo "round $round: applied $(( ${applied[-1]} / 1000 )) ms, changed isles running again $(( ${running[-1]} / 1000 )) ms, unchanged isles touched: $changed" >&2
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
echo "manifest swap, $n manifests, $c changed: revision applied (generation in the API) median $(( $(median "${applied[@]}") / 1000 )) ms, changed isles running again median $(( $(median "${running[@]}") / 1000 )) ms over $r swaps; unchanged isles restarted or regenerated: $restarted"
