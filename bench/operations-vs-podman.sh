#!/usr/bin/env bash
# Everyday operations against podman, in one run, side by side, the same harness for both (issue 11's closing figures):
#   1. `exec -it` keystroke echo: `islanderctl exec -it ISLE -- sh` and `podman exec -it CTR sh`, each on a pty of
#      python's, typing one key at a time and timing until it is echoed (KEYS keys each, default 200);
#   2. pause / unpause of 100 processes (sh and 99 sleeps): the CLI's wall time and the time until the cgroup freezer
#      says FROZEN / THAWED;
#   3. a live memory limit change 32 <-> 48 MiB until the cgroup file shows it: islander by a manifest file edit and by
#      `islanderctl apply -f`, podman by `podman update --memory`;
#   4. `islanderctl exec ISLE -- true` against `podman exec CTR true` and `podman healthcheck run CTR` (a health check
#      of `true`): wall time, and the CPU per call of the CLI, its descendants and the engine's long-lived process.
# Medians of N rounds (default 31), the rounds interleaved (bench/operations-vs-podman.py measures). islanderd is the
# Release build on a temp directory, the CLI the NativeAOT islanderctl users get; podman is Debian's (installed here
# if missing), rootful, on a copy of the same busybox rootfs (`--rootfs`, no image, no registry). Neither side has a
# network: isles without networks get a namespace with only loopback, as podman's `--network none`.
#   sudo bench/operations-vs-podman.sh [N] [KEYS]
source "$(dirname "$0")/daemon-lib.sh"
rounds=${1:-31}
keys=${2:-200}

export DEBIAN_FRONTEND=noninteractive
# runc: crun (podman's first choice) refuses a hybrid cgroup hierarchy whose v2 part has a controller enabled
# ("cgroups in hybrid mode not supported, drop all controllers from cgroupv2"), as some hosts do (hugetlb).
for p in podman conmon runc; do
  dpkg -s "$p" >/dev/null 2>&1 || { apt-get update -qq; apt-get install -y -qq --no-install-recommends podman conmon runc crun >/dev/null; }
done
podman=(podman --runtime runc --cgroup-manager cgroupfs --events-backend file)
# Rootful podman raises each container's RLIMIT_NOFILE/NPROC to 1048576/4194304 by default; where root lacks
# CAP_SYS_RESOURCE (a host in a container) the runtime cannot, so the containers get limits this shell can set.
ulimits=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=16384:16384)
# podman makes libpod_parent (and libpod_parent/conmon) in each hierarchy and leaves them: removed at the end if new.
had_libpod=$(ls -d /sys/fs/cgroup/*/libpod_parent 2>/dev/null || true)

suffix=$$
isle_sh=ops-sh-$suffix isle_pause=ops-pause-$suffix isle_mem=ops-mem-$suffix isle_apply=ops-apply-$suffix
ctr_sh=ops-sh-$suffix ctr_pause=ops-pause-$suffix ctr_mem=ops-mem-$suffix
names+=("$isle_sh" "$isle_pause" "$isle_mem" "$isle_apply")

publish_ctl() { dotnet publish src/Islander.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$work/ctl" -nologo -v:q >/dev/null; }
publish_ctl
ctl=("$work/ctl/islanderctl" --socket "$sock")

podman_cleanup() {
  set +e
  "${podman[@]}" rm -f -t 0 "$ctr_sh" "$ctr_pause" "$ctr_mem" >/dev/null 2>&1
  # The applied isle has no manifest file: daemon-lib's cleanup deletes only those.
  [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null && "${ctl[@]}" delete isle "$isle_apply" >/dev/null 2>&1
  if [ -z "$had_libpod" ]; then
    sleep 0.3
    for d in /sys/fs/cgroup/*/libpod_parent; do rmdir "$d/conmon" "$d" 2>/dev/null; done
  fi
  cleanup
}
trap podman_cleanup EXIT

# --- podman: the same rootfs (a copy: podman makes mount points and /run/.containerenv in it)
bash scripts/make-busybox-rootfs.sh "$work/podman-rootfs" >/dev/null
prun() { "${podman[@]}" run -d --network none "${ulimits[@]}" "$@" >/dev/null; }
prun --name "$ctr_sh" --health-cmd '["true"]' --health-interval disable --rootfs "$work/podman-rootfs" sleep 100000
prun --name "$ctr_pause" --rootfs "$work/podman-rootfs" sh -c 'for i in $(seq 99); do sleep 100000 & done; wait'
prun --name "$ctr_mem" --memory 32m --rootfs "$work/podman-rootfs" sleep 100000

# --- islander
start_daemon
isle() { # name command-yaml [extra spec lines]
  printf 'apiVersion: islander.io/v1\nkind: Isle\nmetadata: {name: %s}\nspec:\n  rootfs: %s\n  command: %s\n  stopTimeout: 1s\n%s' "$1" "$work/rootfs" "$2" "${3:-}"
}
write_manifest "$isle_sh.yaml" "$(isle "$isle_sh" '[sleep, "100000"]')"
write_manifest "$isle_pause.yaml" "$(isle "$isle_pause" '[sh, -c, "for i in $(seq 99); do sleep 100000 & done; wait"]')"
mem_yaml=$(isle "$isle_mem" '[sleep, "100000"]' '  resources: {memory: MEMORY}')
write_manifest "$isle_mem.yaml" "${mem_yaml/MEMORY/32Mi}"
apply_yaml=$(isle "$isle_apply" '[sleep, "100000"]' '  resources: {memory: MEMORY}')
printf '%s\n' "${apply_yaml/MEMORY/32Mi}" > "$work/apply.yaml"
"${ctl[@]}" apply -f "$work/apply.yaml" >/dev/null

# --- cgroup files
if [ -d /sys/fs/cgroup/freezer ]; then freezer_kind=v1; else freezer_kind=v2; fi
isle_cg() { # controller name file
  if [ "$freezer_kind" = v1 ]; then echo "/sys/fs/cgroup/$1/islander/$2/$3"; else echo "/sys/fs/cgroup/islander/$2/$3"; fi
}
ctr_cg() { # controller container file: from the container's PID 1's /proc/PID/cgroup
  local pid path
  pid=$("${podman[@]}" inspect -f '{{.State.Pid}}' "$2")
  if [ "$freezer_kind" = v1 ]; then path=$(awk -F: -v c="$1" '$2 == c {print $3}' "/proc/$pid/cgroup"); echo "/sys/fs/cgroup/$1$path/$3"
  else path=$(awk -F: '$1 == 0 {print $3}' "/proc/$pid/cgroup"); echo "/sys/fs/cgroup$path/$3"; fi
}
if [ "$freezer_kind" = v1 ]; then fz=freezer.state mem=memory.limit_in_bytes procs=pids; else fz=cgroup.events mem=memory.max procs=pids; fi

for _ in $(seq 600); do
  ok=1
  for n in "$isle_sh" "$isle_pause" "$isle_mem" "$isle_apply"; do [ "$(phase "$n")" = Running ] || ok=; done
  [ -n "$ok" ] && [ "$(wc -l < "$(isle_cg "$procs" "$isle_pause" cgroup.procs)" 2>/dev/null || echo 0)" -ge 100 ] \
    && [ "$(wc -l < "$(ctr_cg "$procs" "$ctr_pause" cgroup.procs)" 2>/dev/null || echo 0)" -ge 100 ] && break
  sleep 0.1
done
[ -n "$ok" ] || { echo "the isles did not all run:" >&2; api isles | jq -r '.items[] | "\(.metadata.name) \(.status.phase)"' >&2; exit 1; }
echo "isle $isle_pause: $(wc -l < "$(isle_cg "$procs" "$isle_pause" cgroup.procs)") processes; container $ctr_pause: $(wc -l < "$(ctr_cg "$procs" "$ctr_pause" cgroup.procs)")" >&2
pids_before=$(api isles | jq -c '[.items[] | {(.metadata.name): .status.pid}] | add')
ctr_pids_before=$("${podman[@]}" inspect -f '{{.State.Pid}}' "$ctr_sh" "$ctr_pause" "$ctr_mem" | tr '\n' ' ')

jq -n --argjson ctl "$(printf '%s\n' "${ctl[@]}" | jq -R . | jq -s .)" --argjson podman "$(printf '%s\n' "${podman[@]}" | jq -R . | jq -s .)" \
  --argjson rounds "$rounds" --argjson keys "$keys" --arg podman_version "$(podman --version | awk '{print $3}')" \
  --arg isle_sh "$isle_sh" --arg ctr_sh "$ctr_sh" --arg isle_pause "$isle_pause" --arg ctr_pause "$ctr_pause" \
  --arg freezer_kind "$freezer_kind" --arg isle_freezer "$(isle_cg freezer "$isle_pause" $fz)" --arg ctr_freezer "$(ctr_cg freezer "$ctr_pause" $fz)" \
  --arg isle_mem_file "$(isle_cg memory "$isle_mem" $mem)" --arg isle_mem_manifest "$work/manifests/$isle_mem.yaml" --arg isle_mem_yaml "$mem_yaml" \
  --arg isle_apply_file "$(isle_cg memory "$isle_apply" $mem)" --arg isle_apply_manifest "$work/apply.yaml" --arg isle_apply_yaml "$apply_yaml"$'\n' \
  --arg ctr_mem "$ctr_mem" --arg ctr_mem_file "$(ctr_cg memory "$ctr_mem" $mem)" \
  --argjson islanderd_pid "$dpid" --argjson ctr_sh_conmon_pid "$("${podman[@]}" inspect -f '{{.State.ConmonPid}}' "$ctr_sh")" \
  '$ARGS.named' > "$work/config.json"

echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); kernel $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "islanderd $(git rev-parse --short HEAD); $(podman --version), $(runc --version | head -1), $(conmon --version | head -1)"
echo
python3 bench/operations-vs-podman.py "$work/config.json"

# Nothing above may have restarted anything.
[ "$(api isles | jq -c '[.items[] | {(.metadata.name): .status.pid}] | add')" = "$pids_before" ] || { echo "an isle's pid changed" >&2; exit 1; }
[ "$("${podman[@]}" inspect -f '{{.State.Pid}}' "$ctr_sh" "$ctr_pause" "$ctr_mem" | tr '\n' ' ')" = "$ctr_pids_before" ] || { echo "a container's pid changed" >&2; exit 1; }
echo "podman $ctr_sh health: $("${podman[@]}" inspect -f '{{.State.Health.Status}}' "$ctr_sh"); no isle or container was restarted" >&2
