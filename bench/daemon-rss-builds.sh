#!/usr/bin/env bash
# islanderd's RSS (VmRSS) for two builds taking turns on fresh state: idle 5 s after start, with N real busybox isles
# running `sleep 1000` (default 50) 5 s after all are Running and again after 35 s of quiet; with the time from the
# manifests' drop to all N Running and islanderd's CPU time (utime+stime) for it. NETWORK=1 attaches each isle to one
# bridge network with a published port. "before" is the framework-dependent Release build (bin/Release) unless BEFORE
# names another islanderd; "after" is the Debian package's islanderd, extracted from DEB (default: the newest
# artifacts/deb/islander_*.deb) with isle-init copied beside it, unless AFTER names another (isle-init beside it).
# ROUNDS rounds each (default 3); the median of each figure is printed. The shims and isles are separate processes and
# not counted. Own temp state, run directory, manifests and socket; everything is removed at the end.
#   sudo [BEFORE=ISLANDERD] [AFTER=ISLANDERD] [NETWORK=1] bench/daemon-rss-builds.sh [DEB] [N] [ROUNDS]
source "$(dirname "$0")/daemon-lib.sh"
deb=${1:-$(ls -t artifacts/deb/islander_*_amd64.deb 2>/dev/null | head -1 || true)}
n=${2:-50}
rounds=${3:-3}

before=${BEFORE:-$PWD/$islanderd}
if [ -n "${AFTER:-}" ]; then
  after=$AFTER
else
  [ -f "$deb" ] || { echo "$0: no .deb: run scripts/package.sh first, or give its path (or AFTER=ISLANDERD)" >&2; exit 1; }
  dpkg-deb -x "$deb" "$work/deb"
  cp "$work/deb/usr/libexec/islander/isle-init" "$work/deb/usr/bin/isle-init"
  after=$work/deb/usr/bin/islanderd
fi

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
cpu_ms() { awk '{print int(($14 + $15) * 1000 / '"$(getconf CLK_TCK)"')}' "/proc/$1/stat"; }

for i in $(seq -w 1 "$n"); do names+=("rssb-$$-$i"); done
net=rssb-$$
net_yaml="apiVersion: islander.io/v1
kind: Network
metadata: {name: $net}
spec: {subnet: 10.213.0.0/16}
"
isle() { # name index
  if [ -n "${NETWORK:-}" ]; then
    printf '%s\n  networks: [{name: %s}]\n  ports: [{containerPort: 80, hostPort: %d}]\n' "$(isle_yaml "$1")" "$net" $((21000 + 10#$2))
  else
    isle_yaml "$1"
  fi
}

# One round: a fresh daemon, RSS idle after 5 s, then N isles; sets idle_kib, loaded_kib, quiet_kib, run_ms, cpu_ms.
# (Not in a subshell: the clean-up on exit must know the daemon and the isles.)
round() {
  islanderd=$1
  rm -rf "$work/state" "$work/run" "$work/manifests"/*
  [ -z "${NETWORK:-}" ] || write_manifest net.yaml "$net_yaml"
  start_daemon
  sleep 5
  local running=0 i t0 c0
  idle_kib=$(rss_kib "$dpid")
  c0=$(cpu_ms "$dpid"); t0=$(now_ns)
  for i in $(seq -w 1 "$n"); do write_manifest "${names[10#$i - 1]}.yaml" "$(isle "${names[10#$i - 1]}" "$i")"; done
  for _ in $(seq 3000); do
    running=$(api isles | jq '[.items[] | select(.status.phase == "Running")] | length')
    [ "$running" = "$n" ] && break
    sleep 0.05
  done
  [ "$running" = "$n" ] || { echo "only $running/$n isles Running" >&2; exit 1; }
  run_ms=$(( ($(now_ns) - t0) / 1000000 )); cpu_ms=$(( $(cpu_ms "$dpid") - c0 ))
  sleep 5
  loaded_kib=$(rss_kib "$dpid")
  sleep 30
  quiet_kib=$(rss_kib "$dpid")
  stop_daemon
}

declare -A idle loaded quiet runms cpums
for r in $(seq 1 "$rounds"); do
  for build in before after; do
    round "${!build}"
    idle[$build]+=" $idle_kib"; loaded[$build]+=" $loaded_kib"; quiet[$build]+=" $quiet_kib"; runms[$build]+=" $run_ms"; cpums[$build]+=" $cpu_ms"
    echo "round $r $build: idle $((idle_kib / 1024)) MiB; $n isles Running in $run_ms ms, islanderd CPU $cpu_ms ms; RSS $((loaded_kib / 1024)) MiB 5 s after, $((quiet_kib / 1024)) MiB 35 s after (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  done
done
for build in before after; do
  # shellcheck disable=SC2086 # the lists are numbers
  echo "$build (${!build}): idle $(( $(median ${idle[$build]}) / 1024 )) MiB; $n isles${NETWORK:+ networked} Running in $(median ${runms[$build]}) ms, islanderd CPU $(median ${cpums[$build]}) ms; RSS $(( $(median ${loaded[$build]}) / 1024 )) MiB 5 s after, $(( $(median ${quiet[$build]}) / 1024 )) MiB 35 s after (medians of $rounds)"
done
