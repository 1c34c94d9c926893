#!/usr/bin/env bash
# The cost of each step of a networked isle's start and removal in islanderd's network code, alone (bench/network-steps.cs):
# N isles' namespaces (sleeping processes), a throwaway host namespace; the machine's links and firewall are untouched.
#   sudo bench/network-steps.sh [N=20]
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "$0: needs root" >&2; exit 1; }
n=${1:-20}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
ns() { unshare --net sleep 3600 >/dev/null 2>&1 & pids+=($!); }
ns
for _ in $(seq "$n"); do ns; done
sleep 0.3
dotnet build bench/network-steps.cs -nologo -v:q >/dev/null
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet run bench/network-steps.cs --no-build -- "${pids[@]}"
