#!/usr/bin/env bash
# Manifest written into the manifests directory -> `get` reports the isle Running: median over N runs (default 10).
# A real islanderd (Release) with real isles on the busybox rootfs; the API is polled every ~5 ms (curl on the socket).
#   sudo bench/daemon-latency.sh [N]
source "$(dirname "$0")/daemon-lib.sh"
runs=${1:-10}
start_daemon
sleep 2 # JIT and the first scan out of the way
times=()
for i in $(seq 1 "$runs"); do
  name="lat-$$-$i"; names+=("$name")
  t0=$(now_ns)
  write_manifest "$name.yaml" "$(isle_yaml "$name")"
  until [ "$(phase "$name")" = Running ]; do sleep 0.005; done
  t1=$(now_ns)
  times+=($(( (t1 - t0) / 1000000 )))
  rm "$work/manifests/$name.yaml"
  wait_empty
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(printf '%s\n' "$sorted" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
echo "manifest -> Running, $runs runs (ms): $(echo $sorted | tr '\n' ' ')"
echo "median: ${median} ms (min $(echo "$sorted" | head -1), max $(echo "$sorted" | tail -1))"
