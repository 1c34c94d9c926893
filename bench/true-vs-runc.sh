#!/usr/bin/env bash
# Median wall time of one `/bin/true` isle with host networking: `islanderctl run --no-daemon` (the runtime
# alone, without islanderd) against `runc run` of the same busybox rootfs, in the same run, measured by hyperfine.
#   sudo bench/true-vs-runc.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50}
work=$(mktemp -d /tmp/islander-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
source bench/runc-lib.sh
scripts/make-busybox-rootfs.sh "$work/bundle/rootfs"

# islanderctl, published NativeAOT as users get it.
publish_ctl
ctl="$work/ctl/islanderctl"

# runc's default spec, with the host's network namespace and /bin/true.
runc_bundle "$work/bundle" /bin/true

hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/result.json" \
  -n islanderctl "$ctl run --no-daemon --rootfs $work/bundle/rootfs --network host -- /bin/true" \
  -n runc "runc run --bundle $work/bundle bench-true" >&2
print_medians "$work/result.json"
