#!/usr/bin/env bash
# islanderd's CPU and RSS with N real busybox isles (default 50) health-checked every second, against the same isles
# with no healthcheck: none, then exec [test, -e, /www/healthz], tcp :8080, http :8080/healthz (busybox httpd in each
# isle). The checks are switched by editing the manifests, which applies without restarting the isles. CPU is read from
# /proc/PID/stat over SECONDS (default 60): utime+stime of islanderd itself, and cutime+cstime (its reaped children:
# the isle-init it forks per exec check), as % of one CPU.
#   sudo bench/health-cpu.sh [N] [SECONDS]
source "$(dirname "$0")/daemon-lib.sh"
n=${1:-50}
seconds=${2:-60}
hz=$(getconf CLK_TCK)

isle_health_yaml() { # name healthcheck-line
  printf 'apiVersion: islander.io/v1\nkind: Isle\nmetadata: {name: %s}\nspec:\n  rootfs: %s\n  command: [sh, -c, "mkdir -p /www && echo ok > /www/healthz && exec httpd -f -p 8080 -h /www"]\n  restartPolicy: Always\n  stopTimeout: 1s\n%s' \
    "$1" "$work/rootfs" "$2"
}

ticks() { awk '{print $14 + $15, $16 + $17}' "/proc/$1/stat"; } # self (utime+stime), reaped children (cutime+cstime)

apply_all() { # healthcheck-line
  for name in "${names[@]}"; do write_manifest "$name.yaml" "$(isle_health_yaml "$name" "$1")"; done
}

measure() { # label
  sleep 10 # the edit reaches every isle, and the first checks settle
  read -r s0 c0 < <(ticks "$dpid")
  sleep "$seconds"
  read -r s1 c1 < <(ticks "$dpid")
  local checks
  checks=$(api isles | jq '[.items[] | select(.status.health.status == "healthy")] | length')
  printf '%-34s islanderd %5.1f%% CPU  children %5.1f%% CPU  RSS %4d MiB  healthy %s/%s\n' "$1" \
    "$(echo "scale=3; ($s1 - $s0) * 100 / $hz / $seconds" | bc)" "$(echo "scale=3; ($c1 - $c0) * 100 / $hz / $seconds" | bc)" \
    "$(( $(rss_kib "$dpid") / 1024 ))" "$checks" "$n"
}

start_daemon
for i in $(seq -w 1 "$n"); do names+=("hc-$$-$i"); done
apply_all ""
for _ in $(seq 1200); do
  running=$(api isles | jq '[.items[] | select(.status.phase == "Running")] | length')
  [ "$running" = "$n" ] && break; sleep 0.1
done
echo "$running/$n isles Running; measuring ${seconds}s each ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
pids=$(api isles | jq -r '[.items[].status.pid] | join(",")')

measure "no healthcheck"
apply_all "  healthcheck: {exec: [test, -e, /www/healthz], interval: 1s}"$'\n'
measure "exec every 1s"
apply_all "  healthcheck: {tcp: {port: 8080}, interval: 1s}"$'\n'
measure "tcp every 1s"
apply_all "  healthcheck: {http: {port: 8080, path: /healthz}, interval: 1s}"$'\n'
measure "http every 1s"

after=$(api isles | jq -r '[.items[].status.pid] | join(",")')
[ "$pids" = "$after" ] && echo "no isle was restarted by the healthcheck edits (same pids)" || echo "pids changed: $pids -> $after"
