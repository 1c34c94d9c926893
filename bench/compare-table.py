#!/usr/bin/env python3
"""Helper of bench/compare.sh: the Markdown table of medians from the samples compare.sh recorded (one "key<TAB>value"
line per sample), with the run's date, machine, load and versions (key=value lines on stdin).

usage: compare-table.py RESULTS.tsv "after [before]" AFTER_REV [BEFORE_REV] < meta
"""
import statistics
import sys
from collections import defaultdict

samples = defaultdict(list)
for line in open(sys.argv[1], encoding="utf-8"):
    key, _, value = line.rstrip("\n").partition("\t")
    if value:
        samples[key].append(float(value))
cols = sys.argv[2].split()
revs = {"after": sys.argv[3], "before": sys.argv[4] if len(sys.argv) > 4 else ""}
meta = dict(line.rstrip("\n").split("=", 1) for line in sys.stdin if "=" in line)


def med(key):
    xs = samples.get(key)
    return statistics.median(xs) if xs else None


def fmt(key, unit):
    v = med(key)
    if v is None:
        return "n/a"
    if unit == "MiB":
        return f"{v / 1024:.0f}"
    if unit == "s":
        return f"{v / 1000:.2f} s"
    if unit == "ms":
        return f"{v:.1f} ms" if v < 100 else f"{v:.0f} ms"
    if unit == "KiB":
        return f"{v:.0f} KiB" if v < 2048 else f"{v / 1024:.1f} MiB"
    if unit == "Gbit":
        return f"{v:.1f}"
    return f"{v:g}"


def n_of(key):
    return len(samples.get(key, []))


rows = []


def row(figure, per_build, peers):
    rows.append([figure] + [per_build(b) for b in cols] + [peers])


def share(key, floor_key):
    t, floor = med(key), med(floor_key)
    return f"{100 * t / floor:.0f} %" if t and floor else "n/a"


def pct(b):
    """The isles' rate, and its share of the bare bridge measured beside them in the same rounds."""
    t = med(f"{b}.tcp")
    return f"{t:.1f} Gbit/s, {share(f'{b}.tcp', f'{b}.tcp_floor')} of the floor ({fmt(f'{b}.tcp_floor', 'Gbit')})" if t else "n/a"


row("islanderd RSS, idle / 50 isles on a network, 5 s after (35 s quiet)",
    lambda b: f"{fmt(b + '.rss_idle', 'MiB')} ({fmt(b + '.rss_idle_quiet', 'MiB')}) / "
              f"{fmt(b + '.rss_n', 'MiB')} ({fmt(b + '.rss_n_quiet', 'MiB')}) MiB",
    f"dockerd + containerd {fmt('docker.rss_idle', 'MiB')} / {fmt('docker.rss_n', 'MiB')} MiB (podman has no daemon)")
row("50 isles on one network, manifests to all Running",
    lambda b: fmt(b + ".start_net", "s"),
    f"podman run -d ×50, 4 in parallel {fmt('podman.start_net', 's')}, docker run -d ×50 {fmt('docker.start_net', 's')}")
row("same without networks", lambda b: fmt(b + ".start_plain", "s"), f"runc run -d ×50 {fmt('runc.start_plain', 's')}")
row("one-shot `run --rm` on a bridge network, end to end", lambda b: fmt(b + ".run.bridge", "ms"),
    f"docker run --rm {fmt('peers.run.docker', 'ms')}, podman run --rm {fmt('peers.run.podman', 'ms')}")
row("one-shot `run --rm`, host network, through islanderd", lambda b: fmt(b + ".run.host", "ms"),
    f"runc run (no daemon) {fmt('nodaemon.runc', 'ms')}")
row("one-shot, host network, `run --no-daemon`", lambda b: fmt("nodaemon." + b, "ms"),
    f"crun run {fmt('nodaemon.crun', 'ms')}, runc run {fmt('nodaemon.runc', 'ms')}")
row("remove 50 networked isles", lambda b: fmt(b + ".rm_net", "s"), f"docker rm -f (50 names) {fmt('docker.rm_net', 's')}")
row("per-isle shim PSS", lambda b: fmt(b + ".pss", "KiB"),
    f"conmon {fmt('podman.pss', 'KiB')}, containerd-shim-runc-v2 {fmt('docker.pss', 'KiB')}")
row(f"isle↔isle TCP, one stream ({meta.get('iperf', '')})", pct,
    f"podman {fmt('podman.tcp', 'Gbit')} ({share('podman.tcp', 'bare.tcp')}), docker {fmt('docker.tcp', 'Gbit')} "
    f"({share('docker.tcp', 'bare.tcp')}) of the floor beside them ({fmt('bare.tcp', 'Gbit')} Gbit/s)")
sizes = sorted({int(k.split(".")[1][5:]) for k in samples if ".scale" in k})
for n in sizes:
    s = f"{{b}}.scale{n}"
    row(f"scale: {n} isles from manifests: to all Running / islanderd RSS",
        lambda b, s=s: f"{fmt(s.format(b=b) + '.start', 's')} / {fmt(s.format(b=b) + '.rss', 'MiB')} MiB", "")
    row(f"scale: {n} isles: no-op reconcile pass, steady state: mean per isle / sum over a resync; `get isles`",
        lambda b, s=s: f"{fmt(s.format(b=b) + '.pass', 'ms')} / {fmt(s.format(b=b) + '.resync', 'ms')}; "
                       f"{fmt(s.format(b=b) + '.get', 'ms')}", "")
    row(f"scale: {n} isles: the first resync after all are Running, sum",
        lambda b, s=s: fmt(s.format(b=b) + '.first', 'ms'), "")
if any(k.endswith(".soak.before") for k in samples):
    row(f"soak: {meta.get('soak', '')} one-shots (`run --rm`, host network, 4 at a time): "
        "RSS before → 5 s after (35 s quiet)",
        lambda b: f"{fmt(b + '.soak.before', 'MiB')} → {fmt(b + '.soak.after', 'MiB')} ({fmt(b + '.soak.after_quiet', 'MiB')}) MiB "
                  f"({fmt(b + '.soak.time', 's')})", "")

heads = [f"islander {revs[b]}" + (" (before)" if b == "before" else "") for b in cols]
out = ["| figure | " + " | ".join(heads) + " | peers, same run |", "|---" * (len(heads) + 2) + "|"]
out += ["| " + " | ".join(r) + " |" for r in rows]
out.append("")
out.append(f"{meta.get('date', '')}; {meta.get('machine', '')}; load average {meta.get('load', '')}. "
           "Islander: the package's islanderd (scripts/package.sh's build, what the service runs) and islanderctl. "
           f"Peers: {meta.get('versions', '')}. Knobs: {meta.get('knobs', '')}; the run took {meta.get('minutes', '?')} min.")
print("\n".join(out))
