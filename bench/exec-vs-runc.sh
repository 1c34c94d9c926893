#!/usr/bin/env bash
# Median wall time of `exec /bin/true` into a running isle: `islanderctl exec` (NativeAOT, through a real islanderd:
# API, isle-init's exec mode, cgroup placement, the isle's confinement) against `runc exec` into a runc container on
# the same busybox rootfs, in the same run, measured by hyperfine.
#   sudo bench/exec-vs-runc.sh [RUNS]
source "$(dirname "$0")/daemon-lib.sh"
runs=${1:-50}
source bench/runc-lib.sh

publish_ctl
ctl="$work/ctl/islanderctl --socket $sock"

# runc: the same rootfs, host network as the isle (exec cost only, no network setup in either).
mkdir -p "$work/bundle"
cp -a "$work/rootfs" "$work/bundle/rootfs"
runc_bundle "$work/bundle" /bin/sleep 1000
runc_id="bench-exec-$$"
stop_runc() { runc kill "$runc_id" KILL 2>/dev/null; sleep 0.2; runc delete -f "$runc_id" 2>/dev/null; }
trap 'stop_runc; cleanup' EXIT
runc run -d --bundle "$work/bundle" "$runc_id" </dev/null >/dev/null 2>&1

start_daemon
name="exec-$$"; names+=("$name")
write_manifest "$name.yaml" "$(isle_yaml "$name" | sed 's/^  restartPolicy: Always/  hostNetwork: true\n  restartPolicy: Always/')"
until [ "$(phase "$name")" = Running ]; do sleep 0.05; done

hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/result.json" \
  -n "islanderctl exec" "$ctl exec $name -- /bin/true" \
  -n "runc exec" "runc exec $runc_id /bin/true" >&2
print_medians "$work/result.json"
