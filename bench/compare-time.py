#!/usr/bin/env python3
"""Helper of bench/compare.sh: the wall time of whole commands, seen from outside (fork to wait of the command's
process, as a user's shell sees it), the commands taking turns within each run so a drift of the shared machine's
load falls on all alike. A command may name a mount namespace (a holder process's /proc/PID/ns/mnt) that the child
joins before its exec: crun 1.8 refuses this host's hybrid cgroup layout unless cgroup2 is hidden from it, and a
wrapper (unshare, nsenter) would add its own exec to crun's time. Every command gets the same fork, preexec and exec.

usage: compare-time.py RUNS WARMUP < commands.json    [{"name": ..., "argv": [...], "mntns": PATH?}, ...]
prints {"name": [ms, ...], ...}; a command that fails (exit code not 0) stops the run with its stderr.
"""
import ctypes
import json
import os
import subprocess
import sys
import time

CLONE_NEWNS = 0x00020000
libc = ctypes.CDLL(None, use_errno=True)


def joiner(path):
    if not path:
        return lambda: None
    def join():
        fd = os.open(path, os.O_RDONLY)
        if libc.setns(fd, CLONE_NEWNS) != 0:
            raise OSError(ctypes.get_errno(), "setns " + path)
        os.close(fd)
    return join


def once(cmd):
    t0 = time.perf_counter_ns()
    p = subprocess.run(cmd["argv"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       preexec_fn=cmd["join"], check=False)
    t1 = time.perf_counter_ns()
    if p.returncode != 0:
        sys.exit(f"{cmd['name']}: exit code {p.returncode}: {' '.join(cmd['argv'])}\n{p.stderr.decode(errors='replace')}")
    return (t1 - t0) / 1e6


def main():
    runs, warmup = int(sys.argv[1]), int(sys.argv[2])
    cmds = json.load(sys.stdin)
    for c in cmds:
        c["join"] = joiner(c.get("mntns"))
    times = {c["name"]: [] for c in cmds}
    for i in range(warmup + runs):
        order = cmds if i % 2 == 0 else list(reversed(cmds))
        for c in order:
            ms = once(c)
            if i >= warmup:
                times[c["name"]].append(round(ms, 3))
    json.dump(times, sys.stdout)
    print()


main()
