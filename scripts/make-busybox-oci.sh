#!/usr/bin/env bash
# Builds a two-layer OCI image of Debian's static busybox with umoci, for registry tests:
#   scripts/make-busybox-oci.sh LAYOUT_DIR [TAG]
# Layer 1: the rootfs of make-busybox-rootfs.sh plus /etc/motd and /var/lib/gone/file.
# Layer 2: deletes /etc/motd (a whiteout), replaces /var/lib/gone, adds /etc/islander-layer.
# Config: Cmd ["/bin/sh","-c","cat /etc/os-release"], Env PATH and ISLANDER=1, WorkingDir /root.
# The layout is an OCI image layout directory (push it with skopeo copy oci:DIR:TAG docker://…).
set -euo pipefail
out=${1:?usage: make-busybox-oci.sh LAYOUT_DIR [TAG]}
tag=${2:-latest}
here=$(cd "$(dirname "$0")" && pwd)
command -v umoci >/dev/null || { echo "umoci is not installed: apt-get install umoci" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$here/make-busybox-rootfs.sh" "$work/rootfs"
echo "welcome" > "$work/rootfs/etc/motd"
mkdir -p "$work/rootfs/var/lib/gone"
echo old > "$work/rootfs/var/lib/gone/file"

rm -rf "$out"
umoci init --layout "$out"
umoci new --image "$out:$tag"
umoci unpack --image "$out:$tag" "$work/bundle" >/dev/null
cp -a "$work/rootfs/." "$work/bundle/rootfs/"
umoci repack --image "$out:$tag" "$work/bundle"
rm -rf "$work/bundle"

umoci unpack --image "$out:$tag" "$work/bundle" >/dev/null
rm "$work/bundle/rootfs/etc/motd"
rm -rf "$work/bundle/rootfs/var/lib/gone"
mkdir -p "$work/bundle/rootfs/var/lib/gone"
echo new > "$work/bundle/rootfs/var/lib/gone/other"
echo 2 > "$work/bundle/rootfs/etc/islander-layer"
umoci repack --image "$out:$tag" "$work/bundle"

umoci config --image "$out:$tag" \
  --config.cmd /bin/sh --config.cmd -c --config.cmd 'cat /etc/os-release' \
  --config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin --config.env ISLANDER=1 \
  --config.workingdir /root --architecture amd64 --os linux
umoci gc --layout "$out"
