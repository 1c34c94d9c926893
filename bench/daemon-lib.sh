# Shared by bench/daemon-*.sh: a real islanderd (Release build) on a temp directory, with the busybox test rootfs,
# and a cleanup that deletes every isle through the daemon, stops it, and removes whatever is left.
# shellcheck shell=bash
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "$0: needs root (isles are real)" >&2; exit 1; }

work=$(mktemp -d /tmp/islander-bench-daemon.XXXXXX)
chmod 711 "$work"
mkdir -p "$work/manifests"
sock="$work/islander.sock"
dpid=
names=()
daemon_args=() # more islanderd flags (bench/compare.sh: --cgroup-parent, --resync)
cgroup_parent=islander # islanderd's default; the clean-up looks for leftover cgroups there

# BENCH_PREPARED: the caller built everything already (bench/compare.sh builds before it enters its namespace).
[ -n "${BENCH_PREPARED:-}" ] || dotnet build -c Release Islander.sln -nologo -v:q >/dev/null
# The Release build's framework-dependent islanderd, unless ISLANDERD names another (bench/daemon-rss-builds.sh).
islanderd=${ISLANDERD:-src/Islander.Controller/bin/Release/net10.0/islanderd}
bash scripts/make-busybox-rootfs.sh "$work/rootfs" >/dev/null 2>&1

api() { curl -sf --unix-socket "$sock" "http://islanderd/apis/islander.io/v1/$1"; }
phase() { api "isles/$1" 2>/dev/null | jq -r '.status.phase // empty' 2>/dev/null || true; }
count_isles() { api isles | jq '.items | length'; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
now_ns() { date +%s%N; }

isle_yaml() { # name
  printf 'apiVersion: islander.io/v1\nkind: Isle\nmetadata: {name: %s}\nspec:\n  rootfs: %s\n  command: [/bin/sleep, "1000"]\n  restartPolicy: Always\n  stopTimeout: 1s\n' "$1" "$work/rootfs"
}

write_manifest() { # file content (atomic: a dotfile renamed into place)
  printf '%s' "$2" > "$work/manifests/.$1.tmp"
  mv "$work/manifests/.$1.tmp" "$work/manifests/$1"
}

# Many manifests at once, as a user copies a directory's files in: staged first (untimed), then moved into place by one
# mv (a rename each, on one filesystem). A printf and an mv per file took 158 ms of a 620 ms row for 50 isles: the
# forks were the benchmark's own time, not islanderd's.
stage_manifest() { # file content
  mkdir -p "$work/stage"
  printf '%s' "$2" > "$work/stage/$1"
}
publish_manifests() { mv "$work"/stage/* "$work/manifests/"; }

start_daemon() {
  # --config /dev/null: every default, whatever /etc/islander/config.yaml the machine has.
  "$islanderd" --config /dev/null --manifests "$work/manifests" --state "$work/state" --run "$work/run" --socket "$sock" "${daemon_args[@]}" >"$work/islanderd.log" 2>&1 &
  dpid=$!
  for _ in $(seq 200); do curl -sf --unix-socket "$sock" http://islanderd/healthz >/dev/null 2>&1 && return; sleep 0.05; done
  echo "islanderd did not start:" >&2; cat "$work/islanderd.log" >&2; exit 1
}

start_isles() { # prefix n: n busybox isles running sleep, written as manifests; waits until all are Running (sets $running)
  local i name
  for i in $(seq -w 1 "$2"); do
    name="$1-$i"; names+=("$name")
    write_manifest "$name.yaml" "$(isle_yaml "$name")"
  done
  for _ in $(seq 1200); do
    running=$(api isles | jq '[.items[] | select(.status.phase == "Running")] | length')
    [ "$running" = "$2" ] && return; sleep 0.1
  done
}

wait_empty() {
  for _ in $(seq 600); do [ "$(count_isles 2>/dev/null || echo 0)" = 0 ] && return; sleep 0.1; done
}

stop_daemon() { # deletes every isle of the manifests directory through the daemon, then stops it
  rm -f "$work"/manifests/*.yaml
  wait_empty
  kill -TERM "$dpid"; wait "$dpid" || true
  dpid=
}

cleanup() {
  set +e
  [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null && stop_daemon
  # Leftovers, should the daemon not have deleted everything: processes of our isles, mounts, cgroups.
  for n in "${names[@]}"; do
    for d in /sys/fs/cgroup/*/"$cgroup_parent"/"$n"; do [ -f "$d/cgroup.procs" ] && xargs -r kill -9 < "$d/cgroup.procs"; done
  done
  # The shims (named islander:shim by isle-init) whose isle is gone from its cgroup still hold files under $work.
  for p in $(pgrep -x islander:shim); do ls -l "/proc/$p/fd" 2>/dev/null | grep -q "$work/" && kill -9 "$p"; done
  grep " $work/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
  sleep 0.3
  for n in "${names[@]}"; do rmdir /sys/fs/cgroup/*/"$cgroup_parent"/"$n" 2>/dev/null; done
  rmdir /sys/fs/cgroup/*/"$cgroup_parent" 2>/dev/null # the parent islanderd made, when no other isle is left in it
  rm -rf "$work"
}
trap cleanup EXIT
