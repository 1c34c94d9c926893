#!/usr/bin/env bash
# Controller figures (issue 3's closing note):
#   1. a no-op reconcile pass over 1000 isles on the fake runtime (in-process, bench/Islander.Bench);
#   2. islanderd's RSS when idle: empty manifests directory, and 1000 isle manifests. This islanderd has no
#      runtime wired in (isles go to Error), so (2) measures the daemon itself, not shims.
#   bench/controller.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
work=$(mktemp -d /tmp/islander-bench.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

dotnet build -c Release bench/Islander.Bench -nologo -v:q >/dev/null
dotnet run -c Release --no-build --project bench/Islander.Bench -- "$n" 20

dotnet publish src/Islander.Controller -c Release -o "$work/bin" -nologo -v:q >/dev/null
rss() { awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' "/proc/$1/status"; }
daemon_rss() { # manifests-dir label
  "$work/bin/islanderd" --manifests "$1" --state "$work/state-$2" --run "$work/run-$2" --socket "$work/$2.sock" >"$work/$2.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do [ -S "$work/$2.sock" ] && break; sleep 0.1; done
  sleep 5 # let the first passes and JIT settle
  echo "islanderd idle RSS, $2: $(rss $pid)"
  kill -TERM "$pid"; wait "$pid" || true; pid=
}
mkdir -p "$work/empty" "$work/many"
daemon_rss "$work/empty" "no objects"
for i in $(seq -w 1 "$n"); do
  printf 'apiVersion: islander.io/v1\nkind: Isle\nmetadata: {name: isle-%s}\nspec: {rootfs: /srv/rootfs/busybox, command: [/bin/sleep, infinity]}\n' "$i" > "$work/many/isle-$i.yaml"
done
daemon_rss "$work/many" "$n isle manifests"
