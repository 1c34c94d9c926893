#!/usr/bin/env bash
# Pull + unpack of a ~130 MB (uncompressed; ~45 MB gzip) image from a local registry:
# islander's OciImageStore against `skopeo copy` (download only, to a dir:) and `podman pull`
# (download + unpack into containers-storage), in the same run. podman and bc are installed from Debian if missing.
# The image is the debootstrap trixie rootfs (scripts/make-trixie-rootfs-tar.sh) as a one-layer OCI image.
#   sudo bench/image-pull.sh [RUNS]        prints the median wall time of each
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
for t in docker-registry skopeo umoci debootstrap; do
  command -v "$t" >/dev/null || { echo "$t missing: run scripts/setup.sh" >&2; exit 1; }
done
export DEBIAN_FRONTEND=noninteractive
for p in podman bc; do dpkg -s "$p" >/dev/null 2>&1 || { apt-get update -qq; apt-get install -y -qq "$p" >/dev/null; }; done

work=$(mktemp -d /var/tmp/islander-bench-pull.XXXXXX)
registry_pid=
cleanup() {
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null && wait "$registry_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build -c Release bench/ImagePull -nologo -v:q >/dev/null
pull=bench/ImagePull/bin/Release/net10.0/ImagePull

# The image: trixie's rootfs as one gzip layer, built with umoci (cached next to the tarball).
tarball=$(scripts/make-trixie-rootfs-tar.sh)
layout=/var/tmp/islander-trixie-oci
if [ ! -f "$layout/index.json" ]; then
  rm -rf "$layout" "$work/bundle"
  umoci init --layout "$layout"
  umoci new --image "$layout:13"
  umoci unpack --image "$layout:13" "$work/bundle" >/dev/null
  tar --numeric-owner -xpf "$tarball" -C "$work/bundle/rootfs"
  umoci repack --image "$layout:13" "$work/bundle"
  umoci config --image "$layout:13" --config.cmd /bin/bash --architecture amd64 --os linux
  umoci gc --layout "$layout"
  rm -rf "$work/bundle"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/registry.yml" <<YML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: 127.0.0.1:$port}
YML
docker-registry serve "$work/registry.yml" >/dev/null 2>&1 &
registry_pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
ref=127.0.0.1:$port/trixie:13
skopeo copy --quiet --dest-tls-verify=false "oci:$layout:13" "docker://$ref"
compressed=$(du -sb "$work/registry" | cut -f1)
echo "image $ref: $(du -sb "$tarball" | cut -f1) bytes uncompressed, registry holds $compressed bytes" >&2

have_podman=0
command -v podman >/dev/null && have_podman=1

now() { date +%s.%N; }
declare -a t_islander t_skopeo t_podman
for i in $(seq "$runs"); do
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  out=$("$pull" "$work/islander-$i" "$ref")
  t_islander+=("$(cut -f1 <<<"$out")")
  rm -rf "$work/islander-$i"

  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  s=$(now); skopeo copy --quiet --src-tls-verify=false "docker://$ref" "dir:$work/skopeo-$i"; e=$(now)
  t_skopeo+=("$(echo "$e - $s" | bc)")
  rm -rf "$work/skopeo-$i"

  if [ "$have_podman" = 1 ]; then
    sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
    p=(podman --root "$work/podman-$i" --runroot "$work/podman-run-$i" --storage-driver overlay)
    s=$(now); "${p[@]}" pull -q --tls-verify=false "$ref" >/dev/null; e=$(now)
    t_podman+=("$(echo "$e - $s" | bc)")
    "${p[@]}" rmi -a -f >/dev/null 2>&1 || true
    "${p[@]}" system reset -f >/dev/null 2>&1 || true
    umount -R "$work/podman-$i/overlay" 2>/dev/null || true
    rm -rf "$work/podman-$i" "$work/podman-run-$i"
  fi
  echo "run $i: islander ${t_islander[-1]}s, skopeo ${t_skopeo[-1]}s${t_podman:+, podman ${t_podman[-1]}s}" >&2
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.3f", m}'; }
printf 'islander pull+unpack\tmedian %ss\n' "$(median "${t_islander[@]}")"
printf 'skopeo copy (dir:)\tmedian %ss\n' "$(median "${t_skopeo[@]}")"
[ "$have_podman" = 1 ] && printf 'podman pull\tmedian %ss\n' "$(median "${t_podman[@]}")"
exit 0
