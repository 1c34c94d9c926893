#!/usr/bin/env python3
"""Helper of bench/compare.sh: wait, on ONE watch of islanderd's isles (GET isles?watch=true over the API socket), until
N isles have status.phase PHASE, or (PHASE "none") until no isle is left. A poll of GET isles (curl and jq every few
ms) would spend, on 2 vCPUs, a good part of the CPU whose use the start and removal rows measure.

usage: watch-isles.py SOCKET PHASE N [TIMEOUT_S]     exit 1, with the phases seen, when the timeout passes first
"""
import json
import socket
import sys
import time
from collections import Counter


def main():
    path, phase, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 300
    deadline = time.monotonic() + timeout
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(timeout)
    s.sendall(b"GET /apis/islander.io/v1/isles?watch=true HTTP/1.0\r\nHost: islanderd\r\n\r\n")
    stream = s.makefile("rb")
    while stream.readline() not in (b"\r\n", b"\n", b""):  # the response's headers
        pass
    phases = {}  # name -> phase, as the watch last said
    try:
        if watch(stream, phases, phase, n, deadline):
            return 0
    except TimeoutError:
        pass
    print(f"watch-isles: not {n} {phase} within {timeout:g} s: {dict(Counter(phases.values()))}", file=sys.stderr)
    return 1


def watch(stream, phases, phase, n, deadline):
    """Reads the watch into phases until the condition holds (True) or the stream or the time ends (False)."""
    listed = False  # the first list ends with BOOKMARK
    for line in stream:
        event = json.loads(line)
        kind, obj = event["type"], event.get("object") or {}
        name = (obj.get("metadata") or {}).get("name")
        if kind == "BOOKMARK":
            listed = True
        elif kind == "DELETED":
            phases.pop(name, None)
        elif name:
            phases[name] = (obj.get("status") or {}).get("phase")
        if listed and (len(phases) == 0 if phase == "none" else sum(p == phase for p in phases.values()) >= n):
            return True
        if time.monotonic() > deadline:
            return False
    return False


if __name__ == "__main__":
    sys.exit(main())
