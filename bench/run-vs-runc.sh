#!/usr/bin/env bash
# Median wall time of `run --rm ... /bin/true` through a real islanderd (`islanderctl run --rm`, NativeAOT: create
# through the API, start, follow the log and events to the exit, delete) against `runc run` of the same busybox rootfs,
# both with host networking, in the same run, measured by hyperfine. The daemonless runtime alone: true-vs-runc.sh.
#   sudo bench/run-vs-runc.sh [RUNS]
source "$(dirname "$0")/daemon-lib.sh"
runs=${1:-30}
source bench/runc-lib.sh

publish_ctl
ctl="$work/ctl/islanderctl --socket $sock"

mkdir -p "$work/bundle"
cp -a "$work/rootfs" "$work/bundle/rootfs"
runc_bundle "$work/bundle" /bin/true

start_daemon
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/result.json" \
  -n "islanderctl run --rm" "$ctl run --rm --network host --rootfs $work/rootfs -- /bin/true" \
  -n "runc run" "runc run --bundle $work/bundle bench-run-$$" >&2
print_medians "$work/result.json"
