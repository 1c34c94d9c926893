#!/usr/bin/env bash
# Abuse from inside an isle, each for SECONDS (default 15) against a real islanderd (Release) on a temp directory: a fork
# bomb, a memory bomb (256Mi limit, restartPolicy Always: killed and restarted over and over), a log flood, 10 000 open
# sockets, a busy loop on every CPU, and last a disk filler on a volume and the rootfs. For each (and idle, first): the
# API's GET isles latency, median and p99 (bench/ApiLoad --probe: one client on its own connection, a GET every 10 ms;
# PROBE=curl: curl back to back, a process and a connection per request, its time_total only), islanderd's RSS and CPU time during it, and what the abuse met (pids limit, OOM kills, log bytes,
# sockets' kernel memory, the neighbour's CPU share). A neighbour isle (sleep) runs throughout and must keep its pid.
# The state directory is a tmpfs of STATE_MIB (default 512) so the disk filler fills it and not the machine's disk.
#   sudo bench/abuse.sh [SECONDS]          (SECONDS=60 for the long form)
#   PROBE=curl STATE_MIB=512 sudo bench/abuse.sh
source "$(dirname "$0")/daemon-lib.sh"
secs=${1:-15}
state_mib=${STATE_MIB:-512}
mkdir -p "$work/state"
mount -t tmpfs -o "size=${state_mib}m,mode=0711" islander-bench "$work/state"

# The isle's cgroup directory in the hierarchy of CONTROLLER (v1), or its only one (v2).
cg() { if [ -d "/sys/fs/cgroup/$1/islander" ]; then echo "/sys/fs/cgroup/$1/islander/$2"; else echo "/sys/fs/cgroup/islander/$2"; fi; }
# SIGKILL to every process of the isle's cgroups until none is left (a fork bomb forks while it is killed).
kill_isle() {
  for _ in $(seq 200); do
    local pids; pids=$(cat /sys/fs/cgroup/*/islander/"$1"/cgroup.procs /sys/fs/cgroup/islander/"$1"/cgroup.procs 2>/dev/null | sort -u || true)
    [ -z "$pids" ] && return
    kill -9 $pids 2>/dev/null || true
    sleep 0.02
  done
}
bombs=()
# Every bomb killed first; every isle too when islanderd is gone (it exits on a full state filesystem), so that
# daemon-lib's cleanup finds empty cgroups to remove.
trap 'for b in "${bombs[@]}"; do kill_isle "$b" || true; done; [ -n "$dpid" ] || for n in "${names[@]}"; do kill_isle "$n" || true; done; cleanup' EXIT

probe_with=${PROBE:-apiload}
if [ "$probe_with" = apiload ]; then
  dotnet build -c Release bench/ApiLoad -nologo -v:q >/dev/null
  apiload=bench/ApiLoad/bin/Release/net10.0/ApiLoad
fi
get_us() { curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --unix-socket "$sock" "http://islanderd/apis/islander.io/v1/isles" | awk '$1 == 200 {printf "%d\n", $2 * 1000000} $1 != 200 {print "FAIL"}'; }
probe() { # seconds outfile: GET isles for that long
  if [ "$probe_with" = apiload ]; then "$apiload" --socket "$sock" --probe --seconds "$1" --get-pause-ms 10 --json > "$2" || true; return; fi
  local end=$(( $(date +%s) + $1 )); : > "$2"
  while [ "$(date +%s)" -lt "$end" ]; do get_us >> "$2"; done
}
stats() {
  if [ "$probe_with" = apiload ]; then
    jq -r '.kinds.get | "median \(.latencyMs.median) ms, p99 \(.latencyMs.p99) ms, max \(.latencyMs.max) ms (n=\(.requests), failed \(.errors))"' "$1"; return
  fi
  grep -v FAIL "$1" | sort -n | awk -v fails="$(grep -c FAIL "$1")" '{a[NR]=$1} END {p=int(NR*0.99); if (p < 1) p = 1; printf "median %6.1f ms, p99 %7.1f ms, max %7.1f ms (n=%d, failed %d)", a[int((NR+1)/2)]/1000, a[p]/1000, a[NR]/1000, NR, fails}'; }
cpu_ms() { awk '{print int(($14 + $15) * 1000 / '"$(getconf CLK_TCK)"')}' "/proc/$1/stat"; }
isle_pid() { api "isles/$1" | jq -r '.status.pid // empty'; }
wait_phase() { # name phase...
  for _ in $(seq 400); do p=$(phase "$1"); for want in "${@:2}"; do [ "$p" = "$want" ] && return; done; sleep 0.05; done
  echo "isle $1 not ${*:2} (phase $p)" >&2; exit 1
}
manifest() { # name script [extra spec lines]
  printf 'apiVersion: islander.io/v1\nkind: Isle\nmetadata: {name: %s}\nspec:\n  rootfs: %s\n  command: [sh, -c, %s]\n  restartPolicy: %s\n  stopTimeout: 1s\n%b' \
    "$1" "$work/rootfs" "$(jq -Rn --arg s "$2" '$s')" "${4:-Never}" "${3:-}"
}
# Runs one abuse: NAME LABEL then the probe; prints the line of figures; the caller's extra figures follow.
row() { printf '%-16s GET isles %s; islanderd RSS %s MiB, CPU %s ms\n' "$1" "$(stats "$work/$1.txt")" "$(( $(rss_kib "$dpid") / 1024 ))" "$(( $(cpu_ms "$dpid") - cpu0 ))"; }
begin() { cpu0=$(cpu_ms "$dpid"); }
finish() { # name file: deletes the abuse through the daemon and times it
  local t0; t0=$(now_ns); rm -f "$work/manifests/$2"
  for _ in $(seq 600); do [ -z "$(phase "$1")" ] && break; sleep 0.05; done
  kill_isle "$1"
  echo "                 deleted in $(( ($(now_ns) - t0) / 1000000 )) ms; neighbour $(phase "$neighbour") pid $(isle_pid "$neighbour") (was $npid)"
}

start_daemon
neighbour=neighbour-$$; names+=("$neighbour")
write_manifest neighbour.yaml "$(manifest "$neighbour" 'exec sleep 100000' '' Always)"
wait_phase "$neighbour" Running
npid=$(isle_pid "$neighbour")
sleep 2 # JIT and the first scan out of the way
echo "abuse for ${secs}s each; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); islanderd RSS $(( $(rss_kib "$dpid") / 1024 )) MiB"

probe 2 "$work/warmup.txt" # the probe's and the API's first requests out of the way
begin; probe "$secs" "$work/idle.txt"; row idle

b=fork-$$; bombs+=("$b"); names+=("$b")
bomb_script='f() { f | f & }; f; exec sleep 100000'
write_manifest fork.yaml "$(manifest "$b" "$bomb_script")"
wait_phase "$b" Running; begin; probe "$secs" "$work/$b.txt"
pc=$(cg pids "$b")
row "$b"; echo "                 pids.current $(cat "$pc/pids.current") of $(cat "$pc/pids.max"), forks refused: $(awk '/^max/ {print $2}' "$pc/pids.events")"
finish "$b" fork.yaml

b=mem-$$; bombs+=("$b"); names+=("$b")
write_manifest mem.yaml "$(manifest "$b" 'exec sh -c "cat /dev/zero | tail"' '  resources: {memory: 256Mi}\n' Always)"
begin; probe "$secs" "$work/$b.txt"
row "$b"; echo "                 restarts $(api "isles/$b" | jq .status.restartCount), last reason $(api "isles/$b" | jq -r '.status.lastState.reason // .status.reason // "?"'), OOM kills in events $(api events | jq '[.items[] | select((.message // "") | test("OOM"))] | length')"
finish "$b" mem.yaml

b=log-$$; bombs+=("$b"); names+=("$b")
write_manifest log.yaml "$(manifest "$b" 'exec yes "$(head -c 1023 /dev/zero | tr "\0" x)"' '  logging: {maxSize: 10Mi, maxFiles: 3}\n')"
wait_phase "$b" Running
curl -sN --unix-socket "$sock" "http://islanderd/apis/islander.io/v1/isles/$b/log?follow=true" 2>/dev/null | wc -c > "$work/follow.bytes" &
follower=$!
shim=$(awk '/^PPid:/ {print $2}' "/proc/$(isle_pid "$b")/status"); shim0=$(cpu_ms "$shim"); wchar0=$(awk '/^wchar/ {print $2}' "/proc/$shim/io")
begin; probe "$secs" "$work/$b.txt"
shim_cpu=$(( $(cpu_ms "$shim") - shim0 )); shim_rss=$(rss_kib "$shim"); wrote=$(( $(awk '/^wchar/ {print $2}' "/proc/$shim/io") - wchar0 ))
row "$b"; echo "                 shim CPU $shim_cpu ms, RSS $shim_rss KiB, wrote $wrote bytes of log; log on disk $(cat "$work/state/isles/$b"/log.json* | wc -c) bytes (limit $((30 << 20)))"
finish "$b" log.yaml
sleep 0.5; kill "$follower" 2>/dev/null || true; wait "$follower" 2>/dev/null || true
echo "                 a logs -f follower (curl, follow=true) read $(cat "$work/follow.bytes" 2>/dev/null || echo '?') bytes in ${secs}s (the API sends the lines, the log file holds them as json-file entries)"

mkdir -p "$work/probe"
cat > "$work/probe/sockets.c" <<'EOF'
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    int want = atoi(argv[1]), held = 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 4096) < 0 || getsockname(l, (struct sockaddr *)&a, &len) < 0) { perror("listen"); return 1; }
    for (int i = 0; i < want; i++) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a) < 0 || accept(l, NULL, NULL) < 0) { printf("after %d sockets: %s\n", held, strerror(errno)); break; }
        held += 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("open %d sockets in %ld ms\n", held, (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
    fflush(stdout);
    pause();
    return 0;
}
EOF
gcc -static -O2 -o "$work/probe/sockets" "$work/probe/sockets.c"
b=sockets-$$; bombs+=("$b"); names+=("$b")
write_manifest sockets.yaml "$(manifest "$b" 'exec /probe/sockets 5000' "  volumes: [{hostPath: $work/probe, mountPath: /probe, readOnly: true}]\n")"
wait_phase "$b" Running
for _ in $(seq 400); do grep -q 'open ' "$work/state/isles/$b/log.json" 2>/dev/null && break; sleep 0.05; done
begin; probe "$secs" "$work/$b.txt"
kmem=$(cat "$(cg memory "$b")/memory.kmem.usage_in_bytes" 2>/dev/null || awk '$1 == "sock" || $1 == "kernel" {s += $2} END {print s}' "$(cg memory "$b")/memory.stat")
row "$b"; echo "                 $(jq -r .log "$work/state/isles/$b/log.json" | tr -d '\n'); RLIMIT_NOFILE $(awk '/Max open files/ {print $4 "/" $5}' "/proc/$(isle_pid "$b")/limits"); kernel memory charged to the isle $((kmem >> 20)) MiB"
finish "$b" sockets.yaml

b=busy-$$; c=counter-$$; bombs+=("$b" "$c"); names+=("$b" "$c")
write_manifest counter.yaml "$(manifest "$c" 'while :; do :; done')"
write_manifest busy.yaml "$(manifest "$b" "for i in \$(seq $(nproc)); do (while :; do :; done) & done; wait")"
wait_phase "$b" Running; wait_phase "$c" Running; sleep 0.5
acct() { cat "$(cg cpuacct "$1")/cpuacct.usage" 2>/dev/null || awk '/^usage_usec/ {print $2 * 1000}' "$(cg cpu "$1")/cpu.stat"; }
b0=$(acct "$b"); c0=$(acct "$c")
begin; probe "$secs" "$work/$b.txt"
bn=$(( $(acct "$b") - b0 )); cn=$(( $(acct "$c") - c0 ))
row "$b"; awk -v b="$bn" -v c="$cn" -v s="$secs" -v n="$(nproc)" 'BEGIN {printf "                 neighbour (1 busy loop) got %.0f%% of the isles'"'"' CPU time (%.2f CPUs; the bomb, %d loops: %.2f CPUs); equal weights give it %.0f%% on idle CPUs, about %.0f%% on contended ones\n", 100 * c / (b + c), c / s / 1e9, n, b / s / 1e9, 100 / (n < 2 ? 2 : n), 100 / (n + 1)}'
finish "$c" counter.yaml
finish "$b" busy.yaml

b=disk-$$; bombs+=("$b"); names+=("$b")
write_manifest fillvol.yaml "$(printf 'apiVersion: islander.io/v1\nkind: Volume\nmetadata: {name: fill}\nspec: {driver: dir, reclaimPolicy: Delete}\n')"
write_manifest disk.yaml "$(manifest "$b" "dd if=/dev/zero of=/data/fill bs=1M count=$((state_mib / 2)) 2>&1 | tail -1; dd if=/dev/zero of=/fill bs=1M 2>&1 | tail -1; exec sleep 100000" '  volumes: [{name: fill, mountPath: /data}]\n')"
for _ in $(seq 600); do [ "$(df --output=avail "$work/state" | tail -1)" -lt 1024 ] && break; sleep 0.05; done
echo "disk filler: the state filesystem has $(df --output=avail "$work/state" | tail -1) KiB left"
begin; probe "$secs" "$work/$b.txt"
if kill -0 "$dpid" 2>/dev/null; then row "$b"; else echo "$b: islanderd EXITED while the state filesystem was full:"; tail -5 "$work/islanderd.log"; dpid=; exit 1; fi
rm -f "$work/manifests/fillvol.yaml"
finish "$b" disk.yaml
kill -0 "$dpid" 2>/dev/null || { echo "islanderd EXITED deleting the filler:"; grep -m3 -E 'ERR|FTL|No space' "$work/islanderd.log"; dpid=; exit 1; }
echo "                 after the delete the state filesystem has $(df --output=avail "$work/state" | tail -1) KiB free"
