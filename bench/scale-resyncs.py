#!/usr/bin/env python3
"""Helper of bench/compare.sh and bench/scale.sh: the no-op reconcile passes of K consecutive resyncs of an idle
islanderd with N isles, from its /metrics (the histogram islander_reconcile_duration_seconds{kind="Isle"}), polled
every 100 ms over the API socket. A resync is a burst of at least N passes followed by 0.5 s without one (a shorter
burst is left out: the tail of a resync under way at the first poll, or passes of another cause); for each,
the passes' count, the sum of their durations (ms; the workers run passes side by side, so the sum is CPU and waiting
of all passes, not the resync's wall time) and the burst's wall time (ms, first to last poll that saw it grow).

usage: scale-resyncs.py SOCKET N K [TIMEOUT_S]
prints one JSON object per resync: {"count": c, "sum_ms": s, "wall_ms": w}; exit 1 if fewer than K came in time.
"""
import json
import socket
import sys
import time


def scrape(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall(b"GET /metrics HTTP/1.0\r\nHost: islanderd\r\n\r\n")
    data = b""
    while chunk := s.recv(65536):
        data += chunk
    s.close()
    count = total = None
    for line in data.decode().splitlines():
        if line.startswith('islander_reconcile_duration_seconds_count{') and 'kind="Isle"' in line:
            count = float(line.rsplit(" ", 1)[1])
        elif line.startswith('islander_reconcile_duration_seconds_sum{') and 'kind="Isle"' in line:
            total = float(line.rsplit(" ", 1)[1])
    return count or 0.0, total or 0.0


def main():
    path, n, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    deadline = time.monotonic() + (float(sys.argv[4]) if len(sys.argv) > 4 else 600)
    count, total = scrape(path)
    start = None  # (count, sum, time) when the current burst began
    last_change = None
    seen = 0
    while seen < k and time.monotonic() < deadline:
        time.sleep(0.1)
        c, s = scrape(path)
        now = time.monotonic()
        if c != count:
            if start is None:
                start = (count, total, now)
            last_change = now
            count, total = c, s
        elif start is not None and now - last_change >= 0.5 and count - start[0] < n:
            start = None  # the tail of a resync that began before the first poll, or passes of another cause
        elif start is not None and now - last_change >= 0.5:
            print(json.dumps({"count": int(count - start[0]), "sum_ms": round((total - start[1]) * 1000, 2),
                              "wall_ms": round((last_change - start[2]) * 1000)}), flush=True)
            seen += 1
            start = None
    sys.exit(0 if seen >= k else 1)


if __name__ == "__main__":
    main()
