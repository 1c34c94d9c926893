#!/usr/bin/env bash
# Median wall time of `run --rm ... /bin/true` through a real islanderd (`islanderctl run --rm`, NativeAOT: create
# through the API, start, follow the log and events to the exit, delete) against `runc run` of the same busybox rootfs,
# both with host networking, in the same run, measured by hyperfine. The daemonless runtime alone: true-vs-runc.sh.
#   sudo bench/run-vs-runc.sh [RUNS]
source "$(dirname "$0")/daemon-lib.sh"
runs=${1:-30}
export DEBIAN_FRONTEND=noninteractive
for p in runc hyperfine jq; do dpkg -s "$p" >/dev/null 2>&1 || { apt-get update -qq; apt-get install -y -qq "$p" >/dev/null; }; done

dotnet publish src/Islander.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$work/ctl" -nologo -v:q >/dev/null
ctl="$work/ctl/islanderctl --socket $sock"

mkdir -p "$work/bundle"
cp -a "$work/rootfs" "$work/bundle/rootfs"
(cd "$work/bundle" && runc spec)
jq '.process.args = ["/bin/true"] | .process.terminal = false
    | .linux.namespaces |= map(select(.type != "network"))' "$work/bundle/config.json" > "$work/bundle/config.json.new"
mv "$work/bundle/config.json.new" "$work/bundle/config.json"

start_daemon
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/result.json" \
  -n "islanderctl run --rm" "$ctl run --rm --network host --rootfs $work/rootfs -- /bin/true" \
  -n "runc run" "runc run --bundle $work/bundle bench-run-$$" >&2
jq -r '.results[] | "\(.command)\tmedian \(.median * 1000 | . * 100 | round / 100) ms\tmean \(.mean * 1000 | . * 100 | round / 100) ms"' "$work/result.json"
