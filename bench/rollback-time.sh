#!/usr/bin/env bash
# Rollback time (issue 12's closing note): an isle with update: {healthTimeout: 2s, snapshotVolumes: true} on a dir
# volume holding 1 MiB is edited to a command that exits at once (a crash loop); the time from its rollout's deadline
# (the new generation's first start, the revision's startedAt, + healthTimeout) to the last good generation's start (status.startedAt), both the daemon's
# clock: the stop, the volume restore, the snapshot's removal and the start. N rounds, median; between rounds a good
# edit is rolled out (and completes) so that each round rolls back from a fresh last good generation.
#   sudo bench/rollback-time.sh [N]
source "$(dirname "$0")/daemon-lib.sh"
n=${1:-9}
name=bench-rollback
names+=("$name")
isle() { # command
  printf 'apiVersion: islander.io/v1\nkind: Isle\nmetadata: {name: %s}\nspec:\n  rootfs: %s\n  command: [/bin/sh, -c, "%s"]\n  restartPolicy: Always\n  stopTimeout: 1s\n  volumes: [{name: data, mountPath: /data}]\n  update: {healthTimeout: 2s, snapshotVolumes: true}\n' \
    "$name" "$work/rootfs" "$1"
}
seconds() { python3 -c 'import sys, datetime; print(datetime.datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00")).timestamp())' "$1"; }
latest() { api "isles/$name/rollouts" | jq -r ".items[-1].$1"; }

start_daemon
write_manifest data.yaml "$(printf 'apiVersion: islander.io/v1\nkind: Volume\nmetadata: {name: data}\nspec: {driver: dir}\n')"
write_manifest "$name.yaml" "$(isle 'head -c 1048576 /dev/urandom > /data/blob; exec sleep 100000')"
for _ in $(seq 400); do [ "$(phase "$name")" = Running ] && break; sleep 0.05; done

times=()
for i in $(seq "$n"); do
  write_manifest "$name.yaml" "$(isle "echo $i >> /data/log; exit 1")"
  for _ in $(seq 600); do [ "$(latest result)" = RolledBack ] && [ "$(api "isles/$name" | jq -r '.status.reason // empty')" = RolledBack ] && break; sleep 0.05; done
  [ "$(latest result)" = RolledBack ] || { echo "round $i: not rolled back" >&2; exit 1; }
  deadline=$(python3 -c "print($(seconds "$(latest startedAt)") + 2)")
  started=$(seconds "$(api "isles/$name" | jq -r .status.startedAt)")
  times+=("$(python3 -c "print(round(($started - $deadline) * 1000))")")
  [ -f "$work/state/volumes/dir/data/log" ] && { echo "round $i: the crashing generation's file survived the rollback" >&2; exit 1; }
  write_manifest "$name.yaml" "$(isle "exec sleep 10000$i")"
  for _ in $(seq 600); do [ "$(latest result)" = Complete ] && break; sleep 0.05; done
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(sed -n "$(( (n + 1) / 2 ))p" <<<"$sorted")
echo "rollback, health timeout to the last good generation started (dir volume of 1 MiB restored): median $median ms over $n rounds (min $(head -1 <<<"$sorted") ms, max $(tail -1 <<<"$sorted") ms)"
