#!/usr/bin/env bash
# Median wall time of one `/bin/true` isle with host networking: `islanderctl run --no-daemon` (the runtime
# alone, without islanderd) against `runc run` of the same busybox rootfs, in the same run, measured by hyperfine.
#   sudo bench/true-vs-runc.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50}
export DEBIAN_FRONTEND=noninteractive
for p in runc hyperfine jq; do dpkg -s "$p" >/dev/null 2>&1 || { apt-get update -qq; apt-get install -y -qq "$p" >/dev/null; }; done

work=$(mktemp -d /tmp/islander-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
scripts/make-busybox-rootfs.sh "$work/bundle/rootfs"

# islanderctl, published NativeAOT as users get it.
dotnet publish src/Islander.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$work/ctl" -nologo -v:q >/dev/null
ctl="$work/ctl/islanderctl"

# runc's default spec, with the host's network namespace and /bin/true.
(cd "$work/bundle" && runc spec)
jq '.process.args = ["/bin/true"] | .process.terminal = false
    | .linux.namespaces |= map(select(.type != "network"))' "$work/bundle/config.json" > "$work/bundle/config.json.new"
mv "$work/bundle/config.json.new" "$work/bundle/config.json"

hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/result.json" \
  -n islanderctl "$ctl run --no-daemon --rootfs $work/bundle/rootfs --network host -- /bin/true" \
  -n runc "runc run --bundle $work/bundle bench-true" >&2
jq -r '.results[] | "\(.command)\tmedian \(.median * 1000 | . * 100 | round / 100) ms\tmean \(.mean * 1000 | . * 100 | round / 100) ms"' "$work/result.json"
