#!/usr/bin/env bash
# Builds a minimal root filesystem from Debian's statically linked busybox:
#   scripts/make-busybox-rootfs.sh DIR
# DIR gets bin/busybox, a symlink per applet, and the usual empty directories.
set -euo pipefail
dir=${1:?usage: make-busybox-rootfs.sh DIR}
busybox=$(command -v busybox || true)
[ -n "$busybox" ] && file -L "$busybox" 2>/dev/null | grep -q static || busybox=/bin/busybox
[ -x "$busybox" ] || { echo "busybox-static is not installed: apt-get install busybox-static" >&2; exit 1; }
mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,home,var/tmp,run}
chmod 1777 "$dir/tmp" "$dir/var/tmp"
cp "$busybox" "$dir/bin/busybox"
for applet in $("$busybox" --list); do
  [ -e "$dir/bin/$applet" ] || ln -s busybox "$dir/bin/$applet"
done
cat > "$dir/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > "$dir/etc/group" <<'G'
root:x:0:
tty:x:5:
nogroup:x:65534:
G
printf 'NAME="BusyBox"\nID=busybox\n' > "$dir/etc/os-release"
