#!/usr/bin/env bash
# The main job: islanderd in the foreground on the shipped examples (examples/*.yaml), with the
# default state, run directory and socket; the busybox root filesystem is imported as the image
# busybox:latest on first run, so examples/image.yaml needs no registry. From another terminal:
#   islanderctl get isles -o wide;  islanderctl logs hello -f;  islanderctl events -w
# Ctrl-C stops the daemon and leaves the isles running, as containerd does; run
#   sudo scripts/run.sh --manifests "$(mktemp -d)"
# to prune them (an empty manifests directory means no isles; a missing one prunes nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
rootfs=${ISLANDER_BUSYBOX_ROOTFS:-/var/lib/islander/rootfs/busybox}
socket=${ISLANDER_SOCKET:-/run/islander/islander.sock}

islanderd --manifests "$PWD/examples" --socket "$socket" "$@" &
daemon=$!
# Waits for islanderd to end, so that the prompt (or a next run.sh) comes back only when it is gone.
trap 'kill -TERM $daemon 2>/dev/null || true; wait $daemon || true' INT TERM
for _ in $(seq 100); do [ -S "$socket" ] && break; sleep 0.1; done
export ISLANDER_SOCKET=$socket
if [ -S "$socket" ] && ! islanderctl image inspect busybox:latest >/dev/null 2>&1; then
  tar -C "$rootfs" -c . | islanderctl image import - --name busybox:latest >/dev/null
fi
wait $daemon
