#!/usr/bin/env bash
# A full disk under the state directory (issue 13): the state directory is a 32 MiB tmpfs; each round fills it (dd
# until ENOSPC), drops a new isle's manifest, times `get isles` while full, then frees the space and times how long
# the pending isle takes to run by itself (no restart of islanderd). N rounds, median and max.
#   sudo bench/disk-full.sh [N]
source "$(dirname "$0")/daemon-lib.sh"
n=${1:-5}
mkdir -p "$work/state"
mount -t tmpfs -o size=32m,mode=0711 tmpfs "$work/state"
start_daemon
keep=bench-full-keep
names+=("$keep")
write_manifest "$keep.yaml" "$(isle_yaml "$keep")"
for _ in $(seq 400); do [ "$(phase "$keep")" = Running ] && break; sleep 0.05; done
keep_pid=$(api "isles/$keep" | jq .status.pid)

recover=() gets=() refused=0
for i in $(seq "$n"); do
  name=bench-full-$i
  names+=("$name")
  dd if=/dev/zero of="$work/state/filler" bs=1M 2>/dev/null || true
  write_manifest "$name.yaml" "$(isle_yaml "$name")"
  sleep 1.5
  [ "$(phase "$name")" = Running ] || refused=$((refused + 1)) # a reopen of the database may free a few blocks
  t0=$(now_ns); api isles >/dev/null; gets+=("$(( ($(now_ns) - t0) / 1000000 ))")
  [ "$(api "isles/$keep" | jq .status.pid)" = "$keep_pid" ] || { echo "round $i: the running isle lost its pid" >&2; exit 1; }
  rm -f "$work/state/filler"
  t0=$(now_ns)
  for _ in $(seq 600); do [ "$(phase "$name")" = Running ] && break; sleep 0.01; done
  [ "$(phase "$name")" = Running ] || { echo "round $i: $name did not run after space returned" >&2; tail -20 "$work/islanderd.log" >&2; exit 1; }
  recover+=("$(( ($(now_ns) - t0) / 1000000 ))")
done
sorted=$(printf '%s\n' "${recover[@]}" | sort -n)
gsorted=$(printf '%s\n' "${gets[@]}" | sort -n)
echo "full disk under the state directory: $refused of $n new isles held back while full; started by itself after space returned in median $(sed -n "$(( (n + 1) / 2 ))p" <<<"$sorted") ms (max $(tail -1 <<<"$sorted") ms); get isles while full: median $(sed -n "$(( (n + 1) / 2 ))p" <<<"$gsorted") ms (max $(tail -1 <<<"$gsorted") ms)"
