#!/usr/bin/env bash
# Builds a Debian 13 (trixie) minbase root filesystem with debootstrap and packs it as a
# `docker export`-style tarball (paths relative to /, numeric owners, xattrs kept):
#   scripts/make-trixie-rootfs-tar.sh [TARBALL]
# Default TARBALL: /var/tmp/islander-trixie-rootfs.tar. An existing tarball is reused, so reruns
# are fast; delete it to rebuild. Needs root, debootstrap and Debian's apt mirror.
set -euo pipefail
out=${1:-/var/tmp/islander-trixie-rootfs.tar}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
[ -s "$out" ] && { echo "$out"; exit 0; }
command -v debootstrap >/dev/null || { echo "debootstrap is not installed: apt-get install debootstrap" >&2; exit 1; }
work=$(mktemp -d /var/tmp/islander-trixie.XXXXXX)
trap 'rm -rf "$work"' EXIT
debootstrap --variant=minbase trixie "$work/rootfs" "$mirror" >"$work/log" 2>&1 \
  || { tail -20 "$work/log" >&2; exit 1; }
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
tar --numeric-owner --xattrs --xattrs-include='*' -C "$work/rootfs" -cf "$work/rootfs.tar" .
mv "$work/rootfs.tar" "$out"
echo "$out"
