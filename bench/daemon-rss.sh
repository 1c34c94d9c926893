#!/usr/bin/env bash
# islanderd's RSS (VmRSS of /proc/PID/status): idle with no objects, then with N real busybox isles running `sleep 1000`
# (default 50). The shims and isles are separate processes and not counted.
#   sudo bench/daemon-rss.sh [N]
source "$(dirname "$0")/daemon-lib.sh"
n=${1:-50}
start_daemon
sleep 5 # first passes and JIT settle
echo "islanderd RSS idle, no objects: $(( $(rss_kib "$dpid") / 1024 )) MiB"
t0=$(now_ns)
start_isles "rss-$$" "$n"
t1=$(now_ns)
echo "$running/$n isles Running after $(( (t1 - t0) / 1000000 )) ms"
sleep 5
echo "islanderd RSS with $running isles running: $(( $(rss_kib "$dpid") / 1024 )) MiB"
