#!/usr/bin/env bash
# islanderd's RSS (VmRSS) idle and with N real busybox isles running `sleep 1000` (default 50, no networks), for two
# builds: "before", the framework-dependent Release build (bin/Release, as `dotnet build` and scripts/setup.sh make
# it), and "after", the Debian package's self-contained, trimmed islanderd, extracted from the .deb with dpkg-deb -x
# (isle-init copied beside it, where islanderd looks first). The builds take turns, ROUNDS rounds each (default 3),
# each round on a fresh state; the median of each figure is printed. The shims and isles are separate processes and
# not counted. Own temp state, run directory, manifests and socket; everything is removed at the end.
#   sudo bench/daemon-rss-builds.sh [DEB] [N] [ROUNDS]      DEB: default the newest artifacts/deb/islander_*.deb
source "$(dirname "$0")/daemon-lib.sh"
deb=${1:-$(ls -t artifacts/deb/islander_*_amd64.deb 2>/dev/null | head -1)}
n=${2:-50}
rounds=${3:-3}
[ -f "$deb" ] || { echo "$0: no .deb: run scripts/package.sh first, or give its path" >&2; exit 1; }

before=$PWD/$islanderd
dpkg-deb -x "$deb" "$work/deb"
cp "$work/deb/usr/libexec/islander/isle-init" "$work/deb/usr/bin/isle-init"
after=$work/deb/usr/bin/islanderd

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

for i in $(seq -w 1 "$n"); do names+=("rssb-$$-$i"); done

# One round: a fresh daemon, RSS idle after 5 s, then N isles, RSS 5 s after all run; sets idle_kib and loaded_kib.
# (Not in a subshell: the clean-up on exit must know the daemon and the isles.)
round() {
  islanderd=$1
  rm -rf "$work/state" "$work/run"
  start_daemon
  sleep 5 # first passes and JIT settle
  local running=0 name
  idle_kib=$(rss_kib "$dpid")
  for name in "${names[@]}"; do write_manifest "$name.yaml" "$(isle_yaml "$name")"; done
  for _ in $(seq 1200); do
    running=$(api isles | jq '[.items[] | select(.status.phase == "Running")] | length')
    [ "$running" = "$n" ] && break
    sleep 0.1
  done
  [ "$running" = "$n" ] || { echo "only $running/$n isles Running" >&2; exit 1; }
  sleep 5
  loaded_kib=$(rss_kib "$dpid")
  stop_daemon
}

declare -A idle loaded
for r in $(seq 1 "$rounds"); do
  for build in before after; do
    round "${!build}"
    idle[$build]+=" $idle_kib"; loaded[$build]+=" $loaded_kib"
    echo "round $r $build: idle $((idle_kib / 1024)) MiB, $n isles $((loaded_kib / 1024)) MiB" >&2
  done
done
for build in before after; do
  # shellcheck disable=SC2086 # the lists are numbers
  echo "$build ($([ $build = before ] && echo "framework-dependent, bin/Release" || echo "package: self-contained, trimmed")): idle $(( $(median ${idle[$build]}) / 1024 )) MiB, with $n isles $(( $(median ${loaded[$build]}) / 1024 )) MiB (median of $rounds)"
done
