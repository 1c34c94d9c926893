#!/usr/bin/env bash
# Islander against its peers, every figure of the performance table in ONE run on this machine, written into
# bench/README.md (the section between the compare.sh markers, replaced on each run) and printed:
#   sudo bench/compare.sh [--before REV]        (knobs below as environment variables)
# Columns: this checkout's islander, as the Debian package ships it (scripts/package.sh's islanderd: NativeAOT since the
# performance work, self-contained and trimmed with the JIT before; islanderctl NativeAOT), with --before REV (or
# BEFORE=REV) that git revision built the same way in a temporary worktree, and the peers: dockerd
# (Debian's docker.io, with its own containerd), podman (rootful, runc), runc and crun with the OCI config podman
# generates, and a bare bridge (ip netns + veth) for the network floor. Debian's packages are installed if missing.
# Rows: medians over ROUNDS rounds (each round runs every column: islander's builds one after the other, a fresh
# islanderd each, then the peers; the order of islander and peers alternates by round). Knobs:
#   ROUNDS=3  N=50 (isles per start/remove row)  ONESHOTS=10 (runs per one-shot row per round)
#   IPERF_RUNS=5 IPERF_SECS=3  SCALE="10 50 200" (SCALE="10 50 200 1000" for the long form)  SCALE_ROUNDS=1
#   SCALE_RESYNCS=3 (resyncs measured per scale row, 2 at least: the first after all are Running, then the steady state)
#   SOAK=1000 (SOAK=10000 for the long form) SOAK_PARALLEL=4  NO_README=1 (print only)
# Every islanderd row runs what users run, the package's islanderd: not the Release build that scripts/setup.sh
# installs for the tests, whose JIT would compile the start path during the rows. Its memory: idle and with 50 isles on
# a network, each 5 s after and after 35 s of quiet (the daemon's idle trims), and over the soak.
# Everything runs inside a network namespace of its own (the daemons' bridges, nftables and iptables rules, docker's
# and podman's networks live and die there: the machine's own network is not touched), with state, sockets and run
# directories in one temp directory; isles, containers, cgroups, mounts and namespaces are removed at the end.
{ # the whole script is read before it runs: an edit of this file during a run does not change the run
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "$0: needs root (isles and containers are real)" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case $1 in
    --before) BEFORE=$2; shift 2 ;;
    --before=*) BEFORE=${1#--before=}; shift ;;
    *) echo "usage: $0 [--before REV]" >&2; exit 2 ;;
  esac
done
export ROUNDS=${ROUNDS:-3} N=${N:-50} ONESHOTS=${ONESHOTS:-10} IPERF_RUNS=${IPERF_RUNS:-5} IPERF_SECS=${IPERF_SECS:-3}
export SCALE=${SCALE:-10 50 200} SCALE_ROUNDS=${SCALE_ROUNDS:-1} SCALE_RESYNCS=${SCALE_RESYNCS:-3} SOAK=${SOAK:-1000} SOAK_PARALLEL=${SOAK_PARALLEL:-4} BEFORE=${BEFORE:-} NO_README=${NO_README:-}
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# ---- Stage 1, in the machine's network namespace: packages and builds (both need the network).
if [ "${BENCH_STAGE:-}" != measure ]; then
  export DEBIAN_FRONTEND=noninteractive
  missing=()
  for p in runc crun podman conmon docker.io containerd iperf3 jq; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq; apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  builds=$(mktemp -d /tmp/islander-compare-builds.XXXXXX)
  chmod 711 "$builds"
  trap 'rm -rf "$builds"; git worktree prune' EXIT
  if [ -n "${SKIP_BUILD:-}" ]; then # this checkout as built by an earlier run (a knob for trying the script itself)
    log "measuring this checkout's existing build"
  else
    log "building this checkout ($(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ', with uncommitted changes'))"
    dotnet publish src/Islander.Cli -c Release -r linux-x64 -p:PublishAot=true -o artifacts/compare/ctl -nologo -v:q >/dev/null
    log "publishing this checkout's package islanderd (as scripts/package.sh does)"
    dotnet publish src/Islander.Controller -c Release -p:IslanderPackage=true -o artifacts/compare/pkg -nologo -v:q -clp:NoSummary >/dev/null
  fi
  if [ -n "$BEFORE" ]; then
    log "building $BEFORE in a temporary worktree"
    git worktree add -q --detach "$builds/before-src" "$BEFORE"
    (cd "$builds/before-src" && dotnet publish src/Islander.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$builds/before-ctl" -nologo -v:q >/dev/null \
      && dotnet publish src/Islander.Controller -c Release -p:IslanderPackage=true -o "$builds/before-pkg" -nologo -v:q -clp:NoSummary >/dev/null)
  fi
  trap - EXIT
  exec unshare --net -- env BENCH_STAGE=measure BENCH_BUILDS="$builds" BENCH_PREPARED=1 "$0"
fi

# ---- Stage 2, in a network namespace of our own.
builds=$BENCH_BUILDS
source bench/daemon-lib.sh # $work, its rootfs, islanderd's helpers, and the clean-up of islanderd's isles
# The isles' cgroups apart from those of any other islanderd on the machine (a daemon prunes what it finds there).
cgroup_parent=islander-compare
base_args=(--cgroup-parent "$cgroup_parent")
daemon_args=("${base_args[@]}")
ip link set lo up
t_start=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
results=$work/results.tsv
: > "$results"
rec() { printf '%s\t%s\n' "$1" "$2" >> "$results"; } # key value (one sample)
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }

# Builds of islander: "after" is this checkout, "before" the revision given.
cols=(after)
declare -A ctl_of rev_of package_of
ctl_of[after]=$PWD/artifacts/compare/ctl/islanderctl
package_of[after]=$PWD/artifacts/compare/pkg/islanderd # isle-init is published beside it, where islanderd looks first
rev_of[after]="$(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes')"
if [ -n "$BEFORE" ]; then
  cols+=(before)
  ctl_of[before]=$builds/before-ctl/islanderctl
  package_of[before]=$builds/before-pkg/islanderd
  rev_of[before]=$(git rev-parse --short "$BEFORE")
fi

# One root filesystem for every engine: the busybox test rootfs plus iperf3 and its libraries (the network row runs
# iperf3 inside the isles and containers). Each engine gets an overlay or copy of it, never writes this one.
rootfs=$work/rootfs
for f in /usr/bin/iperf3 $(ldd /usr/bin/iperf3 | grep -o '/[^ ]*'); do cp -L --parents "$f" "$rootfs"; done

# ---- Peers' set-up
docker=(/usr/bin/docker -H "unix://$work/docker/docker.sock")
podman=(podman --root "$work/podman/root" --runroot "$work/podman/run" --tmpdir "$work/podman/tmp"
  --network-config-dir "$work/podman/net" --runtime runc --cgroup-manager cgroupfs --events-backend file)
# Rootful podman raises the containers' RLIMIT_NOFILE/NPROC by default; root here lacks CAP_SYS_RESOURCE (a VM's
# container), so every container gets limits this shell can set (the OCI config runc and crun get has them too).
ulimits=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=16384:16384)
had_libpod=$(ls -d /sys/fs/cgroup/*/libpod_parent 2>/dev/null || true)
had_docker_cg=$(ls -d /sys/fs/cgroup/*/docker 2>/dev/null || true)
had_docker_key=$(ls /etc/docker/key.json 2>/dev/null || true) # dockerd 20.10 makes its trust key there
had_islander_cg=$(ls -d /sys/fs/cgroup/*/islander 2>/dev/null || true) # islanderctl's default parent (an older --no-daemon's)
dockerd_pid=
holders=()
runc_ids=()
overlays=()

peer_cleanup() {
  set +e
  for id in "${runc_ids[@]}"; do runc --root "$work/runc-state" delete -f "$id" >/dev/null 2>&1; done
  if [ -x "$(command -v podman)" ] && [ -d "$work/podman" ]; then
    "${podman[@]}" rm -a -f -t 0 >/dev/null 2>&1
    "${podman[@]}" network rm -f cmpnet >/dev/null 2>&1
    "${podman[@]}" system reset -f >/dev/null 2>&1 # unmounts podman's storage under $work
  fi
  if [ -n "$dockerd_pid" ]; then
    "${docker[@]}" rm -f $("${docker[@]}" ps -aq) >/dev/null 2>&1
    kill -TERM "$dockerd_pid"; wait "$dockerd_pid"
  fi
  for p in "${holders[@]}"; do kill "$p" 2>/dev/null; done
  for m in "${overlays[@]}"; do umount "$m" 2>/dev/null; done
  cleanup # daemon-lib: islanderd, its isles, mounts under $work, $work
  sleep 0.3
  [ -n "$had_libpod" ] || for d in /sys/fs/cgroup/*/libpod_parent; do find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; done
  [ -n "$had_docker_cg" ] || for d in /sys/fs/cgroup/*/docker; do find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; done
  for d in /sys/fs/cgroup/*/compare-runc /sys/fs/cgroup/*/compare-nodaemon; do find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; done
  [ -n "$had_islander_cg" ] || rmdir /sys/fs/cgroup/*/islander 2>/dev/null # empty parents an older islanderctl left
  [ -n "$had_docker_key" ] || rm -f /etc/docker/key.json
  rm -rf /var/lib/cni/networks/cmpnet # the CNI IPAM's leases of podman's network (host-local writes them there)
  rm -rf "$builds"
  git worktree prune
}
trap peer_cleanup EXIT

holder() { # VAR [unshare flags...]: a sleeping process in new namespaces; VAR gets its pid once it is in them
  local var=$1; shift
  unshare "$@" sleep 100000 & local p=$!
  while [ "$(cat /proc/$p/comm 2>/dev/null)" != sleep ]; do sleep 0.01; done
  holders+=("$p"); printf -v "$var" '%s' "$p"
}

log "starting dockerd"
mkdir -p "$work/docker"
dockerd --data-root "$work/docker/root" --exec-root "$work/docker/exec" --pidfile "$work/docker/dockerd.pid" \
  -H "unix://$work/docker/docker.sock" --bip 10.240.9.1/24 --log-level error >"$work/docker/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 300); do "${docker[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
"${docker[@]}" version >/dev/null || { cat "$work/docker/dockerd.log" >&2; exit 1; }
tar -C "$rootfs" -c . | "${docker[@]}" import - compare-bench:latest >/dev/null
"${docker[@]}" network create --subnet 10.240.2.0/24 cmpnet >/dev/null
"${podman[@]}" network create --subnet 10.240.3.0/24 cmpnet >/dev/null
cp -a "$rootfs" "$work/podman-rootfs" # podman makes mount points and /run/.containerenv in a --rootfs

# runc and crun: the OCI config podman generates for the same rootfs (seccomp, Docker's capabilities, masked and
# read-only paths, rlimits, pids limit), with the files it points at copied into the bundle, and a cgroup namespace
# and an overlay root filesystem added, as islander gives an isle.
oci_config() { # bundle netmode(host|none)
  local bundle=$1 id cfg ud
  mkdir -p "$bundle"
  id=$("${podman[@]}" create --network "$2" "${ulimits[@]}" --rootfs "$work/podman-rootfs" /bin/true)
  "${podman[@]}" init "$id" >/dev/null
  cfg=$(find "$work/podman/root" -path "*$id/userdata/config.json")
  ud=$(dirname "$cfg")
  for f in hostname hosts resolv.conf .containerenv; do # those podman made for this container (none: no resolv.conf)
    cp "$ud/$f" "$bundle/$f" 2>/dev/null || cp "$work/podman/run/overlay-containers/$id/userdata/$f" "$bundle/$f" 2>/dev/null || true
  done
  jq --arg b "$bundle" --arg ud "$ud" --arg rud "$work/podman/run/overlay-containers/$id/userdata" '
      .root.path = "rootfs" | .process.args = ["/bin/true"] | .process.terminal = false
      | .mounts |= map(if .destination == "/dev/shm" then {destination: "/dev/shm", type: "tmpfs", source: "shm",
            options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]}
          else .source |= (sub($ud; $b) | sub($rud; $b)) end)
      | .linux.namespaces += [{type: "cgroup"}] | .linux.cgroupsPath = "/compare-runc/ID"' "$cfg" > "$bundle/config.json"
  "${podman[@]}" rm -f "$id" >/dev/null
}
overlay_root() { # dir: an overlay of $rootfs at dir/rootfs
  mkdir -p "$1/upper" "$1/wd" "$1/rootfs"
  mount -t overlay overlay -o "lowerdir=$rootfs,upperdir=$1/upper,workdir=$1/wd" "$1/rootfs"
  overlays+=("$1/rootfs")
}
bundle_for() { # template bundle id
  mkdir -p "$work/bundles/$2"
  cp -a "$1/." "$work/bundles/$2/"
  sed -i "s|/compare-runc/ID|/compare-runc/$2|" "$work/bundles/$2/config.json"
  overlay_root "$work/bundles/$2"
}
log "OCI configs from podman for runc and crun"
oci_config "$work/tpl-host" host
oci_config "$work/tpl-none" none
bundle_for "$work/tpl-host" oneshot-runc
bundle_for "$work/tpl-host" oneshot-crun
for i in $(seq -w 1 "$N"); do bundle_for "$work/tpl-none" "rd-$i"; done
# crun 1.8 refuses a hybrid cgroup layout whose v2 part has a controller enabled ("cgroups in hybrid mode not
# supported, drop all controllers from cgroupv2"): it runs in a mount namespace where cgroup2 is not mounted.
crun_mnt=
if mountpoint -q /sys/fs/cgroup/unified; then
  holder crun_ns -m --propagation private
  nsenter -t "$crun_ns" -m umount /sys/fs/cgroup/unified
  crun_mnt=/proc/$crun_ns/ns/mnt
fi

# The bare bridge floor: two namespaces joined by a bridge made with ip, nothing else (no firewall, no seccomp).
holder bare_a --net
holder bare_b --net
ip link add cmpbr0 type bridge; ip addr add 10.240.4.1/24 dev cmpbr0; ip link set cmpbr0 up
for pair in "$bare_a a 2" "$bare_b b 3"; do
  set -- $pair
  ip link add "cmpveth-$2" type veth peer name eth0 netns "$1"
  ip link set "cmpveth-$2" master cmpbr0; ip link set "cmpveth-$2" up
  nsenter -t "$1" -n sh -c "ip addr add 10.240.4.$3/24 dev eth0 && ip link set eth0 up && ip link set lo up"
done
nsenter -t "$bare_b" -n iperf3 -s >/dev/null 2>&1 &
holders+=($!)

# ---- Measuring helpers
oneshots() { # label name argv-json [name argv-json ...]: ONESHOTS interleaved runs; one sample (median) per name
  local label=$1; shift
  local json="[" sep="" out
  while [ $# -gt 0 ]; do
    local mnt=""; [ "$1" = crun ] && [ -n "$crun_mnt" ] && mnt=$crun_mnt
    json+="$sep{\"name\": \"$1\", \"argv\": $2, \"mntns\": \"$mnt\"}"; sep=", "; shift 2
  done
  out=$(python3 bench/compare-time.py "$ONESHOTS" 2 <<< "$json]")
  local name
  for name in $(jq -r 'keys[]' <<< "$out"); do
    rec "$label.$name" "$(jq -r --arg n "$name" '.[$n] | sort | .[length / 2 | floor]' <<< "$out")"
  done
}
argv() { printf '%s\n' "$@" | jq -R . | jq -sc .; }
iperf_json() { python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))'; }
pss_mean() { # pids...: mean PSS in KiB
  local p; for p in "$@"; do awk '$1 == "Pss:" {print $2}' "/proc/$p/smaps_rollup"; done | awk '{s += $1} END {printf "%.0f", s / NR}'
}
ppid_of() { awk '/^PPid:/ {print $2}' "/proc/$1/status"; }
# One watch of the isles (bench/watch-isles.py), not a poll: curl and jq every 50 ms took a good part of the CPU these
# rows measure (runs up to 85ab03b polled).
wait_running() { # n [seconds]
  python3 bench/watch-isles.py "$sock" Running "$1" "${2:-300}" || { tail -20 "$work/islanderd.log" >&2; exit 1; }
}
wait_gone() { python3 bench/watch-isles.py "$sock" none 0 300 || exit 1; }
# A removed isle's files go in the background (the trash under STATE/isles and RUN/isles): the next row starts once
# they are gone, so that it does not time the deletion of the last row's files.
wait_trash() {
  while [ -n "$(find "$work/state/isles/.trash" "$work/run/isles/.trash" -mindepth 1 -maxdepth 1 2>/dev/null)" ]; do
    sleep 0.05
  done
}
net_yaml() { printf 'apiVersion: islander.io/v1\nkind: Network\nmetadata: {name: cmpnet}\nspec: {subnet: 10.240.1.0/24}\n'; }
# stopTimeout 0s: the removal row's peers kill at once (docker rm -f, podman rm -f -t 0); busybox sleep as PID 1 has no
# SIGTERM handler, so with a grace period every islander stop would wait all of it before its SIGKILL.
isle_net_yaml() { # name command-json [ip]
  printf 'apiVersion: islander.io/v1\nkind: Isle\nmetadata: {name: %s}\nspec:\n  rootfs: %s\n  command: %s\n  restartPolicy: Always\n  stopTimeout: 0s\n  networks: [{name: cmpnet%s}]\n' \
    "$1" "$rootfs" "$2" "${3:+, ip: $3}"
}
use_build() { islanderd=${package_of[$1]}; ctl=${ctl_of[$1]}; }
fresh_daemon() { rm -rf "$work/state" "$work/run"; start_daemon; }

# ---- islander: one round of one build, on a fresh islanderd
islander_round() { # build
  local b=$1 i t0 shims=() pids
  use_build "$b"
  fresh_daemon
  sleep 5; rec "$b.rss_idle" "$(rss_kib "$dpid")" # its first passes done
  sleep 30; rec "$b.rss_idle_quiet" "$(rss_kib "$dpid")"
  # 50 isles on one network: the network's manifest and the isles' moved in at once, until all Running.
  stage_manifest cmpnet.yaml "$(net_yaml)"
  for i in $(seq -w 1 "$N"); do names+=("cn-$i"); stage_manifest "cn-$i.yaml" "$(isle_net_yaml "cn-$i" '[sleep, "100000"]')"; done
  t0=$(now_ns)
  publish_manifests
  wait_running "$N"
  rec "$b.start_net" "$(ms_since "$t0")"
  sleep 5; rec "$b.rss_n" "$(rss_kib "$dpid")"
  sleep 30; rec "$b.rss_n_quiet" "$(rss_kib "$dpid")"
  for pids in $(api isles | jq -r '.items[].status.pid'); do shims+=("$(ppid_of "$pids")"); done
  rec "$b.pss" "$(pss_mean "${shims[@]}")"
  t0=$(now_ns)
  rm -f "$work"/manifests/cn-*.yaml
  wait_gone
  rec "$b.rm_net" "$(ms_since "$t0")"
  wait_trash
  # The same without networks.
  for i in $(seq -w 1 "$N"); do names+=("cp-$i"); stage_manifest "cp-$i.yaml" "$(isle_yaml "cp-$i")"; done
  t0=$(now_ns)
  publish_manifests
  wait_running "$N"
  rec "$b.start_plain" "$(ms_since "$t0")"
  rm -f "$work"/manifests/cp-*.yaml
  wait_gone
  wait_trash
  # One-shots through islanderd: on the bridge network, and with the host's network.
  oneshots "$b.run" bridge "$(argv "$ctl" --socket "$sock" run --rm --network cmpnet --rootfs "$rootfs" -- /bin/true)" \
    host "$(argv "$ctl" --socket "$sock" run --rm --network host --rootfs "$rootfs" -- /bin/true)"
  # isle <-> isle TCP: iperf3 in two real isles on the network, the client's run by exec.
  names+=(ci-server ci-client)
  write_manifest ci-server.yaml "$(isle_net_yaml ci-server '[iperf3, -s]' 10.240.1.250)"
  write_manifest ci-client.yaml "$(isle_net_yaml ci-client '[sleep, "100000"]')"
  wait_running 2
  sleep 0.5
  # The bare bridge beside each run, as the peers' is beside theirs: this machine's rate swings by a third from one
  # minute to the next, so a floor measured in another round says little about this one.
  for i in $(seq "$IPERF_RUNS"); do
    rec "$b.tcp_floor" "$(nsenter -t "$bare_a" -n iperf3 -c 10.240.4.3 -t "$IPERF_SECS" -J | iperf_json)"
    rec "$b.tcp" "$("$ctl" --socket "$sock" exec ci-client -- iperf3 -c 10.240.1.250 -t "$IPERF_SECS" -J | iperf_json)"
  done
  stop_daemon
}

# ---- the peers: one round
docker_rss() { echo $(( $(rss_kib "$dockerd_pid") + $(rss_kib "$(pgrep -P "$dockerd_pid" -x containerd)") )); }
peers_round() {
  local i t0 ids shims=()
  # docker: run -d x N on its network, one after the other, as a user's loop.
  rec docker.rss_idle "$(docker_rss)"
  t0=$(now_ns)
  for i in $(seq -f '%02g' 1 "$N"); do "${docker[@]}" run -d --network cmpnet --name "dk-$i" compare-bench /bin/sleep 100000 >/dev/null; done
  rec docker.start_net "$(ms_since "$t0")"
  sleep 5
  rec docker.rss_n "$(docker_rss)"
  for i in $("${docker[@]}" inspect -f '{{.State.Pid}}' $("${docker[@]}" ps -q)); do shims+=("$(ppid_of "$i")"); done
  rec docker.pss "$(pss_mean "${shims[@]}")"
  t0=$(now_ns)
  "${docker[@]}" rm -f $(seq -f 'dk-%02g' 1 "$N") >/dev/null
  rec docker.rm_net "$(ms_since "$t0")"
  # podman: run -d x N, 4 at a time.
  t0=$(now_ns)
  seq -f '%02g' 1 "$N" | xargs -P 4 -I{} "${podman[@]}" run -d --network cmpnet --name pm-{} "${ulimits[@]}" \
    --rootfs "$work/podman-rootfs:O" /bin/sleep 100000 >/dev/null
  rec podman.start_net "$(ms_since "$t0")"
  shims=()
  for i in $("${podman[@]}" ps -q); do shims+=("$("${podman[@]}" inspect -f '{{.State.ConmonPid}}' "$i")"); done
  rec podman.pss "$(pss_mean "${shims[@]}")"
  "${podman[@]}" rm -f -t 0 $(seq -f 'pm-%02g' 1 "$N") >/dev/null
  # runc run -d x N, without networks (a network namespace with only loopback, as an isle without networks).
  t0=$(now_ns)
  for i in $(seq -w 1 "$N"); do runc_ids+=("rd-$i"); runc --root "$work/runc-state" run -d --bundle "$work/bundles/rd-$i" "rd-$i" </dev/null >/dev/null 2>&1; done
  rec runc.start_plain "$(ms_since "$t0")"
  for i in $(seq -w 1 "$N"); do runc --root "$work/runc-state" delete -f "rd-$i" >/dev/null; done
  # One-shots on a bridge network.
  oneshots peers.run docker "$(argv "${docker[@]}" run --rm --network cmpnet compare-bench /bin/true)" \
    podman "$(argv "${podman[@]}" run --rm --network cmpnet "${ulimits[@]}" --rootfs "$work/podman-rootfs:O" /bin/true)"
  # TCP between two containers of each engine, and the bare floor.
  "${docker[@]}" run -d --network cmpnet --ip 10.240.2.250 --name dk-server compare-bench iperf3 -s >/dev/null
  "${docker[@]}" run -d --network cmpnet --name dk-client compare-bench /bin/sleep 100000 >/dev/null
  "${podman[@]}" run -d --network cmpnet --ip 10.240.3.250 --name pm-server "${ulimits[@]}" --rootfs "$work/podman-rootfs:O" iperf3 -s >/dev/null
  "${podman[@]}" run -d --network cmpnet --name pm-client "${ulimits[@]}" --rootfs "$work/podman-rootfs:O" /bin/sleep 100000 >/dev/null
  sleep 0.5
  for i in $(seq "$IPERF_RUNS"); do
    rec bare.tcp "$(nsenter -t "$bare_a" -n iperf3 -c 10.240.4.3 -t "$IPERF_SECS" -J | iperf_json)"
    rec docker.tcp "$("${docker[@]}" exec dk-client iperf3 -c 10.240.2.250 -t "$IPERF_SECS" -J | iperf_json)"
    rec podman.tcp "$("${podman[@]}" exec pm-client iperf3 -c 10.240.3.250 -t "$IPERF_SECS" -J | iperf_json)"
  done
  "${docker[@]}" rm -f dk-server dk-client >/dev/null
  "${podman[@]}" rm -f -t 0 pm-server pm-client >/dev/null
}

# ---- runtimes alone, host network: islanderctl --no-daemon, crun and runc, one interleaved set per round.
runtimes_round() {
  local args=() b
  for b in "${cols[@]}"; do
    # The isles' cgroups under a parent of this run's own, removed at the end; a build older than the flag uses islander.
    local parent=()
    "${ctl_of[$b]}" run --help | grep -q -- --cgroup-parent && parent=(--cgroup-parent compare-nodaemon)
    args+=("$b" "$(argv "${ctl_of[$b]}" run --no-daemon "${parent[@]}" --rootfs "$rootfs" --network host -- /bin/true)")
  done
  args+=(crun "$(argv crun --root "$work/crun-state" run --bundle "$work/bundles/oneshot-crun" oneshot-crun)")
  args+=(runc "$(argv runc --root "$work/runc-state" run --bundle "$work/bundles/oneshot-runc" oneshot-runc)")
  oneshots nodaemon "${args[@]}"
}

# ---- scale: n isles without networks from manifests, on a fresh islanderd resyncing every 10 s.
scale_round() { # build n
  local b=$1 n=$2 i t0
  use_build "$b"
  daemon_args=("${base_args[@]}" --resync 10)
  fresh_daemon
  daemon_args=("${base_args[@]}")
  sleep 3
  for i in $(seq -w 1 "$n"); do names+=("cs-$i"); stage_manifest "cs-$i.yaml" "$(isle_yaml "cs-$i")"; done
  t0=$(now_ns)
  publish_manifests
  wait_running "$n" 900
  rec "$b.scale$n.start" "$(ms_since "$t0")"
  sleep 3
  rec "$b.scale$n.rss" "$(rss_kib "$dpid")"
  # No-op passes: each resync reconciles every isle with nothing to do. The histogram's sum over one resync is the time
  # of all n passes (4 workers run them side by side); the first resync after all are Running apart ("first": its
  # passes are the first no-op ones, whose code a JIT build compiles then), and the median of the SCALE_RESYNCS-1 after it
  # (the steady state, also as a mean per isle).
  local sums=() first steady
  mapfile -t sums < <(python3 bench/scale-resyncs.py "$sock" "$n" "$SCALE_RESYNCS" 300 | jq -r .sum_ms || true)
  if [ "${#sums[@]}" -ge 2 ]; then
    first=${sums[0]}
    steady=$(printf '%s\n' "${sums[@]:1}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
    rec "$b.scale$n.first" "$first"
    rec "$b.scale$n.resync" "$steady"
    rec "$b.scale$n.pass" "$(python3 -c "print(round($steady / $n, 3))")"
  fi
  oneshots "$b.scale$n" get "$(argv "$ctl" --socket "$sock" get isles)"
  t0=$(now_ns)
  stop_daemon
  rec "$b.scale$n.rm" "$(ms_since "$t0")"
}

# ---- soak: SOAK one-shots (a start and a stop each) through one islanderd, SOAK_PARALLEL at a time, RSS before and after.
soak() { # build
  local b=$1 i t0
  use_build "$b"
  fresh_daemon
  sleep 5
  rec "$b.soak.before" "$(rss_kib "$dpid")"
  t0=$(now_ns)
  # A one-shot that fails is said (its error above) and the soak goes on: one failure must not lose the whole table.
  seq "$SOAK" | xargs -P "$SOAK_PARALLEL" -I{} "$ctl" --socket "$sock" run --rm --network host --rootfs "$rootfs" -- /bin/true >/dev/null \
    || log "soak, $b: at least one one-shot failed (xargs exit $?); its error is above"
  rec "$b.soak.time" "$(ms_since "$t0")"
  sleep 5
  rec "$b.soak.after" "$(rss_kib "$dpid")"
  sleep 30
  rec "$b.soak.after_quiet" "$(rss_kib "$dpid")"
  stop_daemon
}

# ---- the run
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then order="islander peers"; else order="peers islander"; fi
  for part in $order; do
    if [ "$part" = islander ]; then
      for b in "${cols[@]}"; do log "round $r/$ROUNDS: islander $b (${rev_of[$b]})"; islander_round "$b"; done
    else
      log "round $r/$ROUNDS: docker, podman, runc, bare bridge"; peers_round
    fi
  done
  log "round $r/$ROUNDS: runtimes without a daemon"; runtimes_round
done
for r in $(seq "$SCALE_ROUNDS"); do
  for n in $SCALE; do
    for b in "${cols[@]}"; do log "scale $n, $b (round $r/$SCALE_ROUNDS)"; scale_round "$b" "$n"; done
  done
done
for b in "${cols[@]}"; do log "soak: $SOAK one-shots, $b"; soak "$b"; done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
minutes=$(( ($(date +%s) - t_start + 59) / 60 ))

# ---- the table
versions="runc $(runc --version | awk 'NR == 1 {print $3}'), crun $(crun --version | awk 'NR == 1 {print $3}'), podman $(podman --version | awk '{print $3}') (conmon $(conmon --version | awk 'NR == 1 {print $3}')), docker $(dockerd --version | awk '{print $3}' | tr -d ,) (containerd $(containerd --version | awk '{print $3}')), iperf3 $(iperf3 --version | awk 'NR == 1 {print $2}')"
if [ -d /sys/fs/cgroup/unified ] && mountpoint -q /sys/fs/cgroup/unified; then cgmode="hybrid (v1 controllers, cgroup2 at /sys/fs/cgroup/unified)"
elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then cgmode="v2"; else cgmode="v1"; fi
machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) vCPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), kernel $(uname -r), cgroup $cgmode"
table=$(python3 bench/compare-table.py "$results" "${cols[*]}" "${rev_of[after]}" "${rev_of[before]:-}" <<EOF
date=$(date -u '+%Y-%m-%d %H:%M UTC')
machine=$machine
load=$load_start at the start, $load_end at the end (1, 5, 15 min)
versions=$versions
knobs=ROUNDS=$ROUNDS N=$N ONESHOTS=$ONESHOTS IPERF_RUNS=$IPERF_RUNS IPERF_SECS=$IPERF_SECS SCALE="$SCALE" SCALE_ROUNDS=$SCALE_ROUNDS SCALE_RESYNCS=$SCALE_RESYNCS SOAK=$SOAK SOAK_PARALLEL=$SOAK_PARALLEL
minutes=$minutes
iperf=iperf3, $IPERF_RUNS × $IPERF_SECS s a round
soak=$SOAK
EOF
)
echo "$table"
if [ -z "$NO_README" ]; then
  python3 - "$table" <<'PY'
import re, sys
path = "bench/README.md"
begin, end = "<!-- compare.sh: begin -->", "<!-- compare.sh: end -->"
text = open(path, encoding="utf-8").read()
section = f"{begin}\n{sys.argv[1]}\n{end}"
if begin in text:
    text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: section, text, flags=re.S)
else:
    text = text.rstrip("\n") + "\n\n" + section + "\n"
open(path, "w", encoding="utf-8").write(text)
PY
  log "written into bench/README.md"
fi
exit 0
}
