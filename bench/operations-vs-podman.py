#!/usr/bin/env python3
"""Helper of bench/operations-vs-podman.sh: times islanderctl and podman the same way, in one run, rounds interleaved
(the order alternates each round, so a drift of the shared machine's load falls on both alike). Prints a Markdown
table of medians. The shell script sets up islanderd, the isles and the podman containers and cleans up after.

usage: operations-vs-podman.py CONFIG.json   (the keys are those read below; see the shell script)
"""
import ctypes
import fcntl
import json
import os
import pty
import resource
import select
import statistics
import struct
import subprocess
import sys
import termios
import threading
import time

cfg = json.load(open(sys.argv[1], encoding="utf-8"))
ctl = cfg["ctl"]            # islanderctl argv with --socket
podman = cfg["podman"]      # podman argv with its global options
rounds = cfg["rounds"]
keys = cfg["keys"]
rows = []                   # (operation, islander cell, podman cell)


def now():
    return time.perf_counter_ns()


def med(xs):
    return statistics.median(xs) / 1e6  # ns -> ms


def cell(xs):
    return f"{med(xs):.1f} ms" if xs else "n/a"


def spread(xs):
    s = sorted(xs)
    return f"median {med(s):.2f} ms, p90 {s[len(s) * 9 // 10] / 1e6:.2f} ms, min {s[0] / 1e6:.2f}, max {s[-1] / 1e6:.2f} (n={len(s)})"


def say(text):
    print(text, file=sys.stderr, flush=True)


def read(path):
    with open(path, encoding="ascii") as f:
        return f.read()


# ---------------------------------------------------------------------------------------------------------------
# 1. exec -it keystroke echo: each CLI runs `sh` on a pty of ours, as at a terminal; we wait for the prompt, then type
# one key and time until it is echoed back (busybox ash echoes from its own line editor, so the key makes the whole
# round trip: CLI -> engine -> the container's pty -> sh -> back). Both sessions are open at once, keys alternate.

class Session:
    def __init__(self, label, argv):
        self.label = label
        pid, fd = pty.fork()
        if pid == 0:
            os.environ["TERM"] = "xterm"
            # The window size before the CLI starts: both read it at start to size the container's terminal.
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 200, 0, 0))
            try:
                os.execvp(argv[0], argv)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd

    def read_until(self, want, timeout=20.0):
        out = b""
        deadline = time.monotonic() + timeout
        while want not in out:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise RuntimeError(f"{self.label}: no {want!r} within {timeout} s, got {out[-300:]!r}")
            try:
                out += os.read(self.fd, 4096)
            except OSError as e:  # EIO: the CLI ended
                raise RuntimeError(f"{self.label}: the session ended, got {out[-300:]!r}") from e
        return out

    def drain(self):
        while select.select([self.fd], [], [], 0)[0]:
            try:
                if not os.read(self.fd, 4096):
                    return
            except OSError:
                return

    def key(self, k):
        self.drain()  # nothing stale may pass for the echo
        t0 = now()
        os.write(self.fd, bytes([k]))
        self.read_until(bytes([k]))
        return now() - t0

    def close(self):
        os.write(self.fd, b"\x15exit\r")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            self.drain()
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.05)
        raise RuntimeError(f"{self.label}: did not end after exit")


def echo():
    say(f"exec -it: {keys} keys each")
    sessions = [Session("islanderctl exec -it", ctl + ["exec", "-it", cfg["isle_sh"], "--", "sh"]),
                Session("podman exec -it", podman + ["exec", "-it", cfg["ctr_sh"], "sh"])]
    for s in sessions:
        s.read_until(b"# ")
    times = {s.label: [] for s in sessions}
    typed = 0
    while typed < keys:
        if typed and typed % 40 == 0:  # Ctrl-U now and then: a fresh line, so the shell never redraws a long one
            for s in sessions:
                os.write(s.fd, b"\x15")
            time.sleep(0.05)
        k = ord("a") + typed % 26
        order = sessions if typed % 2 == 0 else sessions[::-1]
        for s in order:
            times[s.label].append(s.key(k))
        typed += 1
    for s in sessions:
        code = s.close()
        if code != 0:
            raise RuntimeError(f"{s.label}: exit code {code} after exit")
    isl, pod = times[sessions[0].label], times[sessions[1].label]
    say(f"  islander: {spread(isl)}\n  podman:   {spread(pod)}")
    rows.append((f"`exec -it` sh, keystroke echo ({keys} keys)", f"{med(isl):.2f} ms", f"{med(pod):.2f} ms"))


# ---------------------------------------------------------------------------------------------------------------
# A command's wall time and, polled meanwhile, the time until a cgroup file says what it should: the command runs in
# a thread of its own (its exit time is taken there) while this one reads the file every 0.2 ms.

def timed(argv, state=None, timeout=20.0):
    result = {}

    def run():
        t = now()
        p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        result["wall"] = now() - t
        result["p"] = p

    t0 = now()
    runner = threading.Thread(target=run)
    runner.start()
    seen = None
    deadline = time.monotonic() + timeout
    while state is not None and seen is None and time.monotonic() < deadline:
        if state():
            seen = now() - t0
            break
        time.sleep(0.0002)
    runner.join()
    p = result["p"]
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit code {p.returncode}: {p.stderr.decode(errors='replace').strip()}")
    if state is not None and seen is None:
        raise RuntimeError(f"{' '.join(argv)}: the cgroup did not change within {timeout} s")
    return result["wall"], seen


def frozen(path, kind):
    if kind == "v1":
        return lambda: read(path).strip() == "FROZEN"
    return lambda: "frozen 1" in read(path)


def thawed(path, kind):
    if kind == "v1":
        return lambda: read(path).strip() == "THAWED"
    return lambda: "frozen 0" in read(path)


# ---------------------------------------------------------------------------------------------------------------
# 2. pause and unpause of 100 processes.

def pause():
    say(f"pause/unpause: {rounds} rounds")
    kind = cfg["freezer_kind"]
    sides = {
        "islander": (ctl + ["pause", cfg["isle_pause"]], ctl + ["unpause", cfg["isle_pause"]], cfg["isle_freezer"]),
        "podman": (podman + ["pause", cfg["ctr_pause"]], podman + ["unpause", cfg["ctr_pause"]], cfg["ctr_freezer"]),
    }
    got = {side: {"pause": [], "pause_frozen": [], "unpause": [], "unpause_thawed": []} for side in sides}
    for r in range(rounds):
        order = ["islander", "podman"] if r % 2 == 0 else ["podman", "islander"]
        for side in order:
            p, u, f = sides[side]
            wall, seen = timed(p, frozen(f, kind))
            got[side]["pause"].append(wall)
            got[side]["pause_frozen"].append(seen)
            time.sleep(0.2)
            if not frozen(f, kind)():
                raise RuntimeError(f"{side}: not frozen after pause")
            wall, seen = timed(u, thawed(f, kind))
            got[side]["unpause"].append(wall)
            got[side]["unpause_thawed"].append(seen)
            time.sleep(0.2)
    for side in sides:
        say(f"  {side}: " + "; ".join(f"{k} {spread(v)}" for k, v in got[side].items()))
    i, p = got["islander"], got["podman"]
    rows.append(("pause, 100 processes: CLI wall time", cell(i["pause"]), cell(p["pause"])))
    rows.append(("pause: until the freezer says FROZEN", cell(i["pause_frozen"]), cell(p["pause_frozen"])))
    rows.append(("unpause: CLI wall time", cell(i["unpause"]), cell(p["unpause"])))
    rows.append(("unpause: until the freezer says THAWED", cell(i["unpause_thawed"]), cell(p["unpause_thawed"])))


# ---------------------------------------------------------------------------------------------------------------
# 3. a live memory limit change, 32 MiB <-> 48 MiB, until the cgroup's memory.limit_in_bytes (v2: memory.max) says so.

def write_manifest(path, text):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.rename(tmp, path)


def limit_is(path, want):
    return lambda: read(path).strip() == str(want)


def memory():
    say(f"memory: {rounds} changes each")
    edit, apply_, update = [], [], []
    apply_wall, update_wall = [], []
    for r in range(rounds):
        mib = 48 if r % 2 == 0 else 32
        want = mib << 20
        steps = ["edit", "apply", "update"] if r % 2 == 0 else ["update", "apply", "edit"]
        for step in steps:
            time.sleep(0.5)  # the daemons idle again between changes
            if step == "edit":
                check = limit_is(cfg["isle_mem_file"], want)
                t0 = now()
                write_manifest(cfg["isle_mem_manifest"], cfg["isle_mem_yaml"].replace("MEMORY", f"{mib}Mi"))
                deadline = time.monotonic() + 20
                while not check():
                    if time.monotonic() > deadline:
                        raise RuntimeError("manifest edit: the memory limit did not change within 20 s")
                    time.sleep(0.0002)
                edit.append(now() - t0)
            elif step == "apply":
                with open(cfg["isle_apply_manifest"], "w", encoding="utf-8") as f:
                    f.write(cfg["isle_apply_yaml"].replace("MEMORY", f"{mib}Mi"))
                wall, seen = timed(ctl + ["apply", "-f", cfg["isle_apply_manifest"]], limit_is(cfg["isle_apply_file"], want))
                apply_wall.append(wall)
                apply_.append(seen)
            else:
                wall, seen = timed(podman + ["update", "--memory", f"{mib}m", cfg["ctr_mem"]], limit_is(cfg["ctr_mem_file"], want))
                update_wall.append(wall)
                update.append(seen)
    say(f"  islander manifest edit -> cgroup: {spread(edit)}")
    say(f"  islanderctl apply -> cgroup: {spread(apply_)}; CLI wall {spread(apply_wall)}")
    say(f"  podman update --memory -> cgroup: {spread(update)}; CLI wall {spread(update_wall)}")
    rows.append(("memory limit change: manifest file edit until the cgroup file shows it", cell(edit), "(no file path)"))
    rows.append(("memory limit change by CLI (`islanderctl apply -f`, `podman update --memory`): until the cgroup file shows it",
                 cell(apply_), cell(update)))
    rows.append(("the same: CLI wall time", cell(apply_wall), cell(update_wall)))


# ---------------------------------------------------------------------------------------------------------------
# 4. one exec / one health check: wall time (median) and CPU per call (mean) of every process that works for it:
# the CLI and all its descendants, reaped here (this process is a child subreaper, so podman's conmon, which
# double-forks away from podman, and what it runs come back here to be reaped: their CPU lands in RUSAGE_CHILDREN),
# plus the engine's long-lived process, utime+stime of itself and its reaped children from /proc/PID/stat: islanderd
# (it forks isle-init for each exec), the container's conmon for podman. Each call's window runs 300 ms past its
# exit (work that follows it: reaping, conmon ending, logging); the long-lived process's idle rate, measured first,
# is taken off. Per-process figures, so other work on the machine does not count.

PR_SET_CHILD_SUBREAPER = 36
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime  # seconds


def process_cpu(pid):
    fields = read(f"/proc/{pid}/stat").rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime, seconds


def machine_busy():
    cpu = [int(x) for x in read("/proc/stat").splitlines()[0].split()[1:]]
    return (cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6]) / os.sysconf("SC_CLK_TCK"), time.monotonic()


def execs():
    engines = {"islander": cfg["islanderd_pid"], "podman": cfg["ctr_sh_conmon_pid"]}
    say("exec: the engines' idle CPU over 5 s")
    before = {k: process_cpu(p) for k, p in engines.items()}
    t0 = time.monotonic()
    time.sleep(5)
    idle = {k: (process_cpu(p) - before[k]) / (time.monotonic() - t0) for k, p in engines.items()}
    say("  " + ", ".join(f"{k} {v * 100:.2f}% of one CPU" for k, v in idle.items()))
    commands = {
        "islanderctl exec ISLE -- true": ("islander", ctl + ["exec", cfg["isle_sh"], "--", "true"]),
        "podman exec CTR true": ("podman", podman + ["exec", cfg["ctr_sh"], "true"]),
        "podman healthcheck run CTR": ("podman", podman + ["healthcheck", "run", cfg["ctr_sh"]]),
    }
    say(f"exec: {rounds} rounds of {', '.join(commands)}")
    got = {k: {"wall": [], "cpu": 0.0} for k in commands}
    names = list(commands)
    m0, w0 = machine_busy()
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            engine, argv = commands[name]
            reap()
            c0, e0, t0 = children_cpu(), process_cpu(engines[engine]), time.monotonic()
            wall, _ = timed(argv)
            time.sleep(0.3)
            reap()
            c1, e1, t1 = children_cpu(), process_cpu(engines[engine]), time.monotonic()
            got[name]["wall"].append(wall)
            got[name]["cpu"] += (c1 - c0) + (e1 - e0) - idle[engine] * (t1 - t0)
    m1, w1 = machine_busy()
    say(f"  the machine meanwhile: {(m1 - m0) / (w1 - w0) * 100:.0f}% of one CPU busy (all processes, ours included)")
    out = {}
    for name in names:
        g = got[name]
        cpu_ms = g["cpu"] * 1000 / rounds
        say(f"  {name}: wall {spread(g['wall'])}; CPU {cpu_ms:.1f} ms per call (mean)")
        out[name] = (g["wall"], cpu_ms)
    i, pe, ph = out[names[0]], out[names[1]], out[names[2]]
    rows.append(("`exec` of `true`: wall time", cell(i[0]), cell(pe[0])))
    rows.append(("the same: CPU per call (CLI, its descendants, the engine's process; mean)", f"{i[1]:.1f} ms", f"{pe[1]:.1f} ms"))
    rows.append(("one health check on demand (`podman healthcheck run`, a check of `true`): wall time",
                 "(islanderd runs its checks itself)", cell(ph[0])))
    rows.append(("the same: CPU per check (mean)", "", f"{ph[1]:.1f} ms"))


for step in (echo, pause, memory, execs):
    step()

print(f"| operation (median of {rounds} rounds unless said) | islander | podman {cfg['podman_version']} |")
print("|---|---|---|")
for op, a, b in rows:
    print(f"| {op} | {a} | {b} |")
