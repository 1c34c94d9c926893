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
export ISLANDER_SOCKET=$socket

state=/var/lib/islander
prev=
for arg in "$@"; do
  case $prev in --state) state=$arg ;; esac
  case $arg in --state=*) state=${arg#--state=} ;; esac
  prev=$arg
done

# Waits until islanderd ($1) answers on the socket; false if it ended or did not answer within 10 s.
answering() {
  for _ in $(seq 100); do
    kill -0 "$1" 2>/dev/null || return 1
    islanderctl image ls >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

import_busybox() {
  islanderctl image inspect busybox:latest >/dev/null 2>&1 ||
    tar -C "$rootfs" -c . | islanderctl image import - --name busybox:latest >/dev/null
}

daemon=
private=
# Ctrl-C (or TERM) stops the islanderd running now and waits for it, so that the prompt (or a next run.sh) comes back
# only when it is gone.
trap '[ -z "$daemon" ] || { kill -TERM $daemon 2>/dev/null; wait $daemon || true; }; [ -z "$private" ] || rm -rf "$private"; exit 130' INT TERM

# First run (no state yet): the image is imported before islanderd reads the manifests, so that an isle from it
# (examples/image.yaml) finds it at its first start instead of trying to pull busybox:latest from docker.io while
# the import is still on its way. This first islanderd reads a manifests directory that does not exist (it starts
# nothing and prunes nothing) and listens on a socket of its own, so clients only ever meet the second one.
if [ ! -e "$state/islander.db" ]; then
  private=$(mktemp -d)
  islanderd "$@" --manifests "$private/none" --socket "$private/islander.sock" &
  daemon=$!
  if ISLANDER_SOCKET=$private/islander.sock answering $daemon; then
    ISLANDER_SOCKET=$private/islander.sock import_busybox || echo "run.sh: could not import $rootfs as busybox:latest" >&2
  fi
  kill -TERM $daemon 2>/dev/null || true
  wait $daemon || true
  rm -rf "$private"
  private=
fi

islanderd --manifests "$PWD/examples" --socket "$socket" "$@" &
daemon=$!
# A state kept from an earlier run whose image was removed: imported again; the isle waiting for it starts then.
if answering $daemon; then import_busybox || echo "run.sh: could not import $rootfs as busybox:latest" >&2; fi
wait $daemon
