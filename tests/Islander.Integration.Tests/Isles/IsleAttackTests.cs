using System.Security.Cryptography;
using Islander.Drivers.Runtime;
using Islander.Model;
using Islander.Testing;

namespace Islander.Integration.Tests.Isles;

/// <summary>
/// Attacks from runc's CVEs, attempted with an image that carries them (a layer of the test's over the busybox
/// rootfs) against the real isle-init: each asserts what the isle sees and that nothing changed on the host.
/// docs/security.md lists them with the defence each one exercises.
/// </summary>
[Collection(IsleCollection.Name)]
public sealed class IsleAttackTests : IAsyncDisposable
{
    readonly IsleHarness _h = new();
    readonly string _layer;

    public IsleAttackTests()
    {
        _layer = Path.Combine(_h.HostDir, "attack-layer");
        Directory.CreateDirectory(_layer);
        File.SetUnixFileMode(_layer, (UnixFileMode)Convert.ToInt32("755", 8));
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    async Task<IsleRun> RunAsync(IsleSpec spec)
    {
        var name = "atk-" + Guid.NewGuid().ToString("N")[..8];
        _h.Track(name);
        var process = await _h.Runtime.StartAsync(name, spec, lowerDirs: [_layer, TestRootfs.Busybox], ct: TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var status = await _h.Runtime.WaitAsync(name, process, timeout.Token);
        Assert.NotNull(status);
        return new IsleRun(name, status, _h.Log(name));
    }

    static IsleSpec Spec(params string[] command) => new() { Image = "local/attack:1", Command = command, RestartPolicy = RestartPolicy.Never };

    /// <summary>
    /// CVE-2024-45310 (runc made directories outside the rootfs through a link in a volume's path) and the
    /// resolution half of CVE-2021-30465: the image's /data (absolute) and /rel (relative) are links that climb
    /// out of the root to a directory the host has; the isle has one of that name too. isle-init resolves every
    /// component with openat2 RESOLVE_IN_ROOT: the volumes are made and mounted in the isle's directory, and the
    /// host's stays empty (resolved as plain paths, the links would lead to it and x, y/z be made there).
    /// </summary>
    [Fact]
    public async Task Run_VolumeUnderALinkOutOfTheRoot_MadeInsideTheIsleNothingOnTheHost()
    {
        var escape = "/tmp/islander-escape-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(escape); // the host's: what a link resolved on the host would reach
        Directory.CreateDirectory(_layer + escape); // the isle's, same path
        File.SetUnixFileMode(Path.Combine(_layer, "tmp"), (UnixFileMode)Convert.ToInt32("1777", 8));
        File.CreateSymbolicLink(Path.Combine(_layer, "data"), "/../../../.." + escape);
        File.CreateSymbolicLink(Path.Combine(_layer, "rel"), "../../../../../../../.." + escape);
        try
        {
            var spec = Spec("sh", "-c", "grep islander-escape /proc/self/mounts | cut -d' ' -f2,3; true") with
            {
                Volumes =
                [
                    new VolumeMount { MountPath = "/data/x", Tmpfs = new TmpfsOptions() },
                    new VolumeMount { MountPath = "/rel/y/z", Tmpfs = new TmpfsOptions() },
                ],
            };

            var (status, output) = await RunAsync(spec);

            Assert.Equal(0, status.Code);
            Assert.Contains($"{escape}/x tmpfs", output);
            Assert.Contains($"{escape}/y/z tmpfs", output);
            Assert.Empty(Directory.EnumerateFileSystemEntries(escape));
        }
        finally
        {
            Directory.Delete(escape, recursive: true);
        }
    }

    /// <summary>
    /// The same links where only the host has the directory they name: inside the isle they lead nowhere, so the
    /// start fails, naming the volume's path, and the host's directory stays empty (no mkdir through a link).
    /// </summary>
    [Fact]
    public async Task Start_VolumeUnderALinkToAHostOnlyDirectory_RefusedNothingOnTheHost()
    {
        var escape = "/tmp/islander-escape-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(escape);
        File.CreateSymbolicLink(Path.Combine(_layer, "data"), "/../../../.." + escape);
        try
        {
            var spec = Spec("true") with { Volumes = [new VolumeMount { MountPath = "/data/x", Tmpfs = new TmpfsOptions() }] };
            var name = "atk-" + Guid.NewGuid().ToString("N")[..8];
            _h.Track(name);

            var e = await Assert.ThrowsAnyAsync<Exception>(() =>
                _h.Runtime.StartAsync(name, spec, lowerDirs: [_layer, TestRootfs.Busybox], ct: TestContext.Current.CancellationToken));

            Assert.Contains("rootfs/data/x: ENOENT", e.Message);
            Assert.Empty(Directory.EnumerateFileSystemEntries(escape));
        }
        finally
        {
            Directory.Delete(escape, recursive: true);
        }
    }

    /// <summary>
    /// CVE-2025-31133: runc masked /proc files with a bind of the container's own /dev/null, which the image (or
    /// a racing container) could make a link to /proc/sys/kernel/core_pattern, so a masked path became the host's
    /// core_pattern, writable. Here the image's /dev/null is that link: the masks still are the host's null device
    /// (isle-init binds /dev/null by its host path before pivot_root, and the isle's /dev is a tmpfs of its own),
    /// and writing a pipe helper through them leaves the host's core_pattern as it was.
    /// </summary>
    [Fact]
    public async Task Run_ImageDevNullALinkToCorePattern_MasksStayTheNullDeviceHostUnchanged()
    {
        Directory.CreateDirectory(Path.Combine(_layer, "dev"));
        File.CreateSymbolicLink(Path.Combine(_layer, "dev/null"), "/proc/sys/kernel/core_pattern");
        const string corePattern = "/proc/sys/kernel/core_pattern";
        var before = File.ReadAllText(corePattern);
        const string script = "for f in /proc/timer_list /proc/sched_debug /dev/null; do " +
                              "[ -e $f ] || continue; echo \"$f $(stat -c '%F %t:%T' $f) $(head -c 64 $f | wc -c)\"; " +
                              "echo '|/islander-cve-2025-31133' > $f; done; true";
        try
        {
            var (status, output) = await RunAsync(Spec("sh", "-c", script));

            Assert.Equal(0, status.Code);
            Assert.Contains("/proc/timer_list character special file 1:3 0", output);
            Assert.Contains("/dev/null character special file 1:3 0", output);
            Assert.Equal(before, File.ReadAllText(corePattern));
        }
        finally
        {
            if (File.ReadAllText(corePattern) != before)
                File.WriteAllText(corePattern, before);
        }
    }

    /// <summary>
    /// runc CVE-2022-29162 and moby CVE-2022-24769: a process that starts with inheritable (and ambient) capabilities
    /// keeps them across execve, so a program with file capabilities gains them. islanderd runs with both sets
    /// empty, which would hide a missing clear; here the runtime (islanderctl run --no-daemon) starts under capsh
    /// with CAP_NET_RAW inheritable and ambient, as a daemon started by a careless unit file would: the isle's
    /// process has neither set.
    /// </summary>
    [Fact]
    public async Task Run_LaunchedWithInheritableAndAmbientCaps_IsleHasNone()
    {
        HostCaps.Require(File.Exists("/usr/sbin/capsh"), "capsh (libcap2-bin)");
        var dir = Path.Combine(_h.HostDir, "ctl");
        var name = "atk-" + Guid.NewGuid().ToString("N")[..8];
        const string show = "grep -E '^Cap(Inh|Amb)' /proc/self/status";
        var script = $"{show}; echo isle:; exec '{Daemon.DaemonHarness.Islanderctl}' run --no-daemon --rm --state '{dir}/state' --run '{dir}/run' " +
                     $"--name {name} --rootfs '{TestRootfs.Busybox}' -- sh -c \"{show}\"";
        var info = new System.Diagnostics.ProcessStartInfo("/usr/sbin/capsh") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--inh=cap_net_raw", "--addamb=cap_net_raw", "--", "-c", script })
            info.ArgumentList.Add(arg);

        // The daemonless runtime puts its isle under the fixed cgroup parent `islander`: gone again afterwards if it
        // was not there before.
        bool parentBefore = Daemon.DaemonHarness.CgroupDirs("islander").Any();
        using var capsh = System.Diagnostics.Process.Start(info)!;
        var stdout = capsh.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = capsh.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await capsh.WaitForExitAsync(TestContext.Current.CancellationToken);
        var output = await stdout;
        if (!parentBefore)
            Daemon.DaemonHarness.RemoveEmptyParent();

        Assert.True(capsh.ExitCode == 0, $"exit {capsh.ExitCode}: {output}{await stderr}");
        var (launcher, isle) = (output[..output.IndexOf("isle:", StringComparison.Ordinal)], output[output.IndexOf("isle:", StringComparison.Ordinal)..]);
        Assert.Contains("CapInh:\t0000000000002000", launcher); // the control: the runtime did start with them
        Assert.Contains("CapAmb:\t0000000000002000", launcher);
        Assert.Contains("CapInh:\t0000000000000000", isle);
        Assert.Contains("CapAmb:\t0000000000000000", isle);
    }

    /// <summary>
    /// runc CVE-2023-28642: the image's /proc is a link. isle-init would mount procfs and the masks where the link
    /// leads inside the root, but the read-only binds (/proc/sys, /proc/sysrq-trigger) take their source by the
    /// rootfs's host path, where an absolute link names a host directory: here the host has /tmp/x/{bus,fs,...}
    /// (any local user can make them) and the isle's /proc/sys would have been that directory, not procfs's. The
    /// start is refused, saying why, and nothing is mounted.
    /// </summary>
    [Fact]
    public async Task Start_ImageProcALink_RefusedSayingWhy()
    {
        var hostDir = "/tmp/islander-proc-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(_layer + hostDir);
        File.SetUnixFileMode(Path.Combine(_layer, "tmp"), (UnixFileMode)Convert.ToInt32("1777", 8));
        File.CreateSymbolicLink(Path.Combine(_layer, "proc"), hostDir);
        foreach (var dir in new[] { "bus", "fs", "irq", "sys" })
            Directory.CreateDirectory(Path.Combine(hostDir, dir));
        File.WriteAllText(Path.Combine(hostDir, "sysrq-trigger"), "");
        try
        {
            var name = "atk-" + Guid.NewGuid().ToString("N")[..8];
            _h.Track(name);

            var e = await Assert.ThrowsAsync<IslanderException>(() =>
                _h.Runtime.StartAsync(name, Spec("cat", "/proc/sys/kernel/ostype"), lowerDirs: [_layer, TestRootfs.Busybox], ct: TestContext.Current.CancellationToken));

            Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
            Assert.Equal($"the image's /proc is a symbolic link (to \"{hostDir}\"); the isle's procfs needs a directory there: make /proc a directory in the image", e.Message);
            Assert.DoesNotContain(hostDir, File.ReadAllText("/proc/self/mountinfo"));
            Assert.False(Directory.Exists(_h.Paths.IsleRunDir(name))); // nothing of the start left
        }
        finally
        {
            Directory.Delete(hostDir, recursive: true);
        }
    }

    /// <summary>
    /// runc CVE-2019-5736: while runc joined the container for an exec, the container opened /proc/PID/exe of the
    /// joining process (runc's binary) and overwrote the runtime on the host. Here the exec's process is held in
    /// that window on purpose (1.5 s before the go byte, still isle-init, in the isle's PID namespace) while the
    /// isle's root walks every /proc/PID/exe, reading the link, opening the file and appending nothing to it: it
    /// sees the process (named islander:exec) but neither resolves nor opens its exe (isle-init is non-dumpable, and
    /// holds capabilities the isle's root does not: the kernel wants both), and isle-init on the host is unchanged.
    /// The control: a privileged isle (CAP_SYS_PTRACE, as Docker's --privileged) does resolve it in the same window,
    /// so the watcher would have seen it.
    /// </summary>
    [Fact]
    public async Task Exec_WhileIsleInitJoinsTheIsle_ItsExeCannotBeOpenedFromInside()
    {
        var launcher = new LinuxProcessLauncher();
        var before = SHA256.HashData(File.ReadAllBytes(launcher.IsleInitPath));

        var confined = await WatchAnExecWindowAsync(launcher, privileged: false);

        Assert.Contains("seen islander:exec exe= open=n", confined); // the watcher did reach the process in the window
        Assert.DoesNotContain("isle-init", confined);
        Assert.DoesNotContain("open=y", confined);
        Assert.DoesNotContain("wrote", confined);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(launcher.IsleInitPath)));

        var privileged = await WatchAnExecWindowAsync(launcher, privileged: true);

        Assert.Contains($"seen islander:exec exe={launcher.IsleInitPath} open=y", privileged);
    }

    /// <summary>Starts an isle whose root watches every process's exe, holds an exec in isle-init for 1.5 s, returns the isle's log.</summary>
    async Task<string> WatchAnExecWindowAsync(LinuxProcessLauncher launcher, bool privileged)
    {
        // The write is a no-op append (true writes nothing); the privileged control does not try it. open=y only when
        // what was read is isle-init itself: once the go byte is sent the process execs the isle's own `true`, and a
        // comm read just before that execve must not count the isle's binary, readable by then, as isle-init's.
        var write = privileged ? "" : "; (true >> $p/exe) 2>/dev/null && echo wrote";
        var isleInit = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(launcher.IsleInitPath)));
        var watcher = "while :; do for p in /proc/[0-9]*; do c=$(cat $p/comm 2>/dev/null); e=$(readlink $p/exe 2>/dev/null); " +
                      "case \"$c $e\" in *islander*|*isle-init*) o=n; " +
                      $"[ \"$(sha256sum < $p/exe 2>/dev/null | cut -c1-64)\" = {isleInit} ] && o=y; " +
                      $"echo \"seen $c exe=$e open=$o\"{write};; esac; done; done";
        var spec = IsleHarness.Spec("sh", "-c", watcher) with { Security = new IsleSecurity { Privileged = privileged } };
        var (name, process) = await _h.StartAsync(spec);
        var profile = IsleExecProfile.Read(_h.Paths.ExecProfileFile(name))!;
        var config = profile.ToExecConfig(process.InitPid, new ExecRequest { Command = ["true"] }, null);

        var result = await launcher.ExecAsync(config, async (pid, ct) =>
        {
            _h.Cgroups.AddProcess(name, pid, ct);
            await Task.Delay(1500, ct); // the window: the process is isle-init, waiting for the go byte
        }, (_, _, _) => ValueTask.CompletedTask, null, TestContext.Current.CancellationToken);
        await Task.Delay(200, TestContext.Current.CancellationToken);

        Assert.Equal(new ExecResult(0, 0), result);
        return _h.Log(name);
    }

    /// <summary>
    /// containerd CVE-2020-15257: the shim's API listened on an abstract unix socket, which any container in the host's
    /// network namespace could connect to. islander's shim has no API: it holds files (the isle's log, /dev/null) and, while it starts init, pipes; no socket.
    /// Only an isle with stdin or a tty gets one, its attach socket: a path in the root-only run directory, mode 0600,
    /// never an abstract name (<see cref="Runtime.IsleAttachTests"/>).
    /// </summary>
    [Fact]
    public async Task Run_ShimHoldsNoSocket()
    {
        var (_, process) = await _h.StartAsync(IsleHarness.Spec("sleep", "30"));

        // The shim opens the isle's log after it has started init (CI under load read its fds before that): look until
        // the log is there, and at every look for a socket.
        List<string> fds;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        do
        {
            fds = Directory.GetFiles($"/proc/{process.ShimPid}/fd").Select(fd => File.ResolveLinkTarget(fd, false)?.ToString() ?? "").ToList();
            Assert.DoesNotContain(fds, fd => fd.StartsWith("socket:", StringComparison.Ordinal));
            if (fds.Any(fd => fd.StartsWith(_h.Paths.StateRoot, StringComparison.Ordinal))) break;
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Contains(fds, fd => fd.StartsWith(_h.Paths.StateRoot, StringComparison.Ordinal)); // the control: its log, read as the shim's
    }

    /// <summary>
    /// containerd CVE-2022-31030: CRI's ExecSync held a process's whole output in memory, so a huge output exhausted
    /// the daemon. An exec's output reaches the caller as it comes: 256 MiB of it pass through while the managed
    /// heap of this process (where the runtime and its output pump run) grows by far less.
    /// </summary>
    [Fact]
    public async Task Exec_HugeOutput_StreamedNotHeld()
    {
        var (name, _) = await _h.StartAsync(IsleHarness.Spec("sleep", "60"));
        const long size = 256L << 20;
        long received = 0, peak = 0;
        GC.Collect();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);

        var result = await _h.Runtime.ExecAsync(name, new ExecRequest { Command = ["head", "-c", size.ToString(System.Globalization.CultureInfo.InvariantCulture), "/dev/zero"] },
            (_, data, _) =>
            {
                received += data.Length;
                if ((received & ((16 << 20) - 1)) < data.Length)
                    peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false) - baseline);
                return ValueTask.CompletedTask;
            }, TestContext.Current.CancellationToken);

        Assert.Equal(new ExecResult(0, 0), result);
        Assert.Equal(size, received);
        Assert.True(peak < 64L << 20, $"the managed heap grew by {peak >> 20} MiB while 256 MiB went through");
    }
}
