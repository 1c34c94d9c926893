#!/usr/bin/env bash
# Pause and unpause of an isle with 100 processes (sh and 99 sleeps): the time from the API call
# (POST isles/NAME/pause, /unpause) until the cgroup's freezer says FROZEN / THAWED (freezer.state on v1,
# cgroup.events "frozen" on v2), polled from the moment the call is sent; median of N runs (default 11).
# A real islanderd (Release) and a real isle on the busybox rootfs.
#   sudo bench/pause-unpause.sh [N]
source "$(dirname "$0")/daemon-lib.sh"
runs=${1:-11}
name="pause-$$"; names+=("$name")
if [ -d /sys/fs/cgroup/freezer ]; then
  state_file=/sys/fs/cgroup/freezer/islander/$name/freezer.state
  frozen() { [ "$(cat "$state_file")" = FROZEN ]; }
  pids_file=/sys/fs/cgroup/pids/islander/$name/cgroup.procs
else
  state_file=/sys/fs/cgroup/islander/$name/cgroup.events
  frozen() { grep -q '^frozen 1' "$state_file"; }
  pids_file=/sys/fs/cgroup/islander/$name/cgroup.procs
fi
post() { curl -s -o "$work/post.out" -w "%{http_code}" -X POST --unix-socket "$sock" "http://islanderd/apis/islander.io/v1/isles/$name/$1" > "$work/post.code" & cpid=$!; }

start_daemon
write_manifest "$name.yaml" "$(printf 'apiVersion: islander.io/v1\nkind: Isle\nmetadata: {name: %s}\nspec:\n  rootfs: %s\n  command: [sh, -c, "for i in $(seq 99); do sleep 1000 & done; wait"]\n  stopTimeout: 1s\n' "$name" "$work/rootfs")"
until [ "$(phase "$name")" = Running ] && [ "$(wc -l < "$pids_file" 2>/dev/null || echo 0)" -ge 100 ]; do sleep 0.05; done
echo "isle $name: $(wc -l < "$pids_file") processes"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
pause_us=(); unpause_us=()
for _ in $(seq 1 "$runs"); do
  t0=$(now_ns); post pause
  until frozen; do :; done
  t1=$(now_ns); wait "$cpid"; [ "$(cat "$work/post.code")" = 200 ] || { echo "POST answered $(cat "$work/post.code"): $(cat "$work/post.out")" >&2; exit 1; }
  [ "$(phase "$name")" = Paused ] || { echo "not Paused after pause" >&2; exit 1; }
  pause_us+=($(( (t1 - t0) / 1000 )))
  t0=$(now_ns); post unpause
  while frozen; do :; done
  t1=$(now_ns); wait "$cpid"; [ "$(cat "$work/post.code")" = 200 ] || { echo "POST answered $(cat "$work/post.code"): $(cat "$work/post.out")" >&2; exit 1; }
  [ "$(phase "$name")" = Running ] || { echo "not Running after unpause" >&2; exit 1; }
  unpause_us+=($(( (t1 - t0) / 1000 )))
done
echo "pause   -> FROZEN, $runs runs (us): ${pause_us[*]}"
echo "unpause -> THAWED, $runs runs (us): ${unpause_us[*]}"
echo "median pause: $(printf '%s\n' "${pause_us[@]}" | median) us, median unpause: $(printf '%s\n' "${unpause_us[@]}" | median) us"
rm "$work/manifests/$name.yaml"
