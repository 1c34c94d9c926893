using System.Runtime.InteropServices;
using Islander.Drivers.Interop;
using Islander.Drivers.Rootfs;
using Islander.Drivers.Runtime;
using Tmds.Linux;

namespace Islander.Integration.Tests.Runtime;

[Collection(RuntimeCollection.Name)]
public sealed class LinuxProcessLauncherTests : IAsyncLifetime
{
    readonly IsleRun _run = new();
    readonly Dictionary<int, int> _shims = [];

    int ShimOf(int initPid) => _shims[initPid];

    static int ParentOf(int pid) =>
        int.Parse(File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("PPid:")).Split('\t')[1]);

    public ValueTask InitializeAsync()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "needs root: namespaces, mounts, pivot_root");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _run.DisposeAsync();

    [Fact]
    public async Task Launch_Command_RunsAsPid1()
    {
        var (status, output) = await _run.RunAsync(_run.Config("sh", "-c", "echo pid=$$; tr '\\0' ' ' < /proc/1/cmdline; echo; ps -o pid,args"));

        Assert.Equal(0, status.Code);
        Assert.Contains("pid=1\n", output);
        Assert.Contains("sh -c echo pid=$$", output);
        Assert.DoesNotContain("isle-init", output);
    }

    [Fact]
    public async Task Launch_Hostname_SetInIsle()
    {
        var (_, output) = await _run.RunAsync(_run.Config("hostname"));

        Assert.Equal("isle-test\n", output);
    }

    [Fact]
    public async Task Wait_ExitCode42_Exact()
    {
        var (status, _) = await _run.RunAsync(_run.Config("sh", "-c", "exit 42"));

        Assert.Equal(42, status.ExitCode);
        Assert.Equal(0, status.Signal);
        Assert.Equal(42, status.Code);
        Assert.False(status.OomKilled);
        Assert.NotNull(status.StartedAt);
        Assert.True(status.FinishedAt >= status.StartedAt);
    }

    [Fact]
    public async Task Signal_Kill9_Signal9Code137AndThenFalse()
    {
        var isle = await _run.StartAsync(_run.Config("sleep", "1000"));

        Assert.True(_run.Launcher.Signal(isle, 9));
        var status = await _run.WaitAsync();

        Assert.Equal(9, status.Signal);
        Assert.Equal(137, status.Code);
        Assert.False(status.OomKilled);
        Assert.False(_run.Launcher.Signal(isle, 9));
    }

    [Fact]
    public async Task Wait_AfterShimIsGone_SameStatusAgain()
    {
        var (first, _) = await _run.RunAsync(_run.Config("sh", "-c", "exit 7"));

        var again = await _run.Launcher.WaitForExitAsync(_run.Isle!, _run.StatusPath, TestContext.Current.CancellationToken);

        Assert.Equal(first, again);
        Assert.Equal(first, _run.Launcher.ReadExitStatus(_run.StatusPath));
    }

    [Fact]
    public async Task Signal_ReusedPid_RefusesOtherProcess()
    {
        var isle = await _run.StartAsync(_run.Config("sleep", "1000"));

        // Same pid, other start time: what a record of an isle that ended long ago looks like.
        var stale = isle with { InitStartTime = isle.InitStartTime + 1 };

        Assert.False(_run.Launcher.Signal(stale, 9));
        Assert.Null(_run.Launcher.ReadExitStatus(_run.StatusPath));
    }

    [Fact]
    public async Task Wait_SigkillWithOomCounterRising_OomKilled()
    {
        var counter = Path.Combine(_run.RunDir, "memory.oom_control");
        File.WriteAllText(counter, "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        var isle = await _run.StartAsync(_run.Config("sleep", "1000") with { OomCounterPath = counter });

        File.WriteAllText(counter, "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
        _run.Launcher.Signal(isle, 9);
        var status = await _run.WaitAsync();

        Assert.True(status.OomKilled);
        Assert.Equal(137, status.Code);
    }

    [Fact]
    public async Task Wait_NormalExitWithV2EventsCounterRising_OomKilledAndItsOwnExitCode()
    {
        // cgroup v2's memory.events: "oom" counts OOM events, "oom_kill" the kills, "oom_group_kill" the group kills.
        var counter = Path.Combine(_run.RunDir, "memory.events");
        File.WriteAllText(counter, "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\noom_group_kill 0\n");
        await _run.StartAsync(_run.Config("sh", "-c", "sleep 1; exit 3") with { OomCounterPath = counter });

        // A child of the isle's init was killed; init itself exits normally.
        File.WriteAllText(counter, "low 0\nhigh 0\nmax 9\noom 2\noom_kill 2\noom_group_kill 0\n");
        var status = await _run.WaitAsync();

        Assert.True(status.OomKilled);
        Assert.Equal((3, 0, 3), (status.ExitCode, status.Signal, status.Code));
    }

    [Fact]
    public async Task Wait_NormalExitWithV2EventsCounterStill_NotOomKilled()
    {
        var counter = Path.Combine(_run.RunDir, "memory.events");
        File.WriteAllText(counter, "low 0\nhigh 0\nmax 5\noom 3\noom_kill 3\noom_group_kill 0\n");

        var (status, _) = await _run.RunAsync(_run.Config("sh", "-c", "exit 3") with { OomCounterPath = counter });

        Assert.False(status.OomKilled);
        Assert.Equal(3, status.ExitCode);
    }

    [Fact]
    public async Task Launch_MissingCommand_IsleStartExceptionExecveEnoent()
    {
        var e = await Assert.ThrowsAsync<IsleStartException>(() => _run.StartAsync(_run.Config("nope")));

        Assert.Equal("execve", e.Op);
        Assert.Equal("nope", e.Path);
        Assert.Equal(LibC.ENOENT, e.Errno);
        Assert.Equal("start isle: execve nope: ENOENT (No such file or directory)", e.Message);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Null(_run.Launcher.ReadExitStatus(_run.StatusPath)); // a failed start leaves no status
    }

    [Fact]
    public async Task Launch_NoIsleInitBinary_NotFound()
    {
        var launcher = new LinuxProcessLauncher("/nonexistent/isle-init");

        var e = await Assert.ThrowsAsync<Islander.Model.IslanderException>(() => launcher.LaunchAsync(
            _run.Config("true"), _run.Stdio, (_, _) => ValueTask.CompletedTask, TestContext.Current.CancellationToken));

        Assert.Equal(Islander.Model.ErrorCategory.NotFound, e.Category);
        Assert.Contains("/nonexistent/isle-init", e.Message);
    }

    [Fact]
    public async Task Launch_MissingMountTarget_IsleStartExceptionWithPath()
    {
        var config = _run.Config("true");
        config = config with { Mounts = [.. config.Mounts, new MountOp("tmpfs", "not/there", "tmpfs", MountFlags.None)] };

        var e = await Assert.ThrowsAsync<IsleStartException>(() => _run.StartAsync(config));

        Assert.Equal("open", e.Op);
        Assert.Equal(_run.Rootfs + "/not/there", e.Path);
        Assert.Equal(LibC.ENOENT, e.Errno);
    }

    [Fact]
    public async Task Launch_MountOptions_CreateDirOptionalAndSymlink()
    {
        var config = _run.Config("sh", "-c", "grep -c ' /scratch/deep .* - tmpfs ' /proc/self/mountinfo; readlink /dev/fd");
        config = config with
        {
            Mounts = [.. config.Mounts,
                new MountOp("tmpfs", "scratch/deep", "tmpfs", MountFlags.NoSuid, "size=1m", MountOpOptions.CreateDir),
                new MountOp("tmpfs", "maybe", "tmpfs", MountFlags.None, null, MountOpOptions.Optional)],
            Symlinks = [new SymlinkOp("/proc/self/fd", "dev/fd")],
        };

        var (status, output) = await _run.RunAsync(config);

        Assert.Equal(0, status.Code);
        Assert.Equal("1\n/proc/self/fd\n", output);
        Assert.False(Directory.Exists(Path.Combine(_run.Rootfs, "maybe")));
    }

    [Fact]
    public async Task Launch_RemountWithoutSource_RootfsReadOnly()
    {
        var config = _run.Config("sh", "-c", "mkdir /x 2>&1; echo rc=$?");
        config = config with { Mounts = [.. config.Mounts, new MountOp(null, "", null, MountFlags.Remount | MountFlags.Bind | MountFlags.ReadOnly)] };

        var (_, output) = await _run.RunAsync(config);

        Assert.Contains("Read-only file system", output);
        Assert.Contains("rc=1", output);
        Assert.False(Directory.Exists(Path.Combine(_run.Rootfs, "x")));
    }

    [Fact]
    public async Task Launch_MountTargetSymlinkToHost_StaysInRootfs()
    {
        // A hostile image: etc/escape -> /tmp/islander-host-X. Followed on the host, the tmpfs would
        // land outside the rootfs and vanish with the old root; resolved in the root (openat2
        // RESOLVE_IN_ROOT), it lands on the rootfs' own tmp/islander-host-X.
        var hostDir = Directory.CreateTempSubdirectory("islander-host-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(_run.Rootfs, hostDir.TrimStart('/')));
            File.CreateSymbolicLink(Path.Combine(_run.Rootfs, "etc/escape"), hostDir);
            var config = _run.Config("grep", "-c", $" {hostDir} .* - tmpfs ", "/proc/self/mountinfo");
            config = config with { Mounts = [.. config.Mounts, new MountOp("tmpfs", "etc/escape", "tmpfs", MountFlags.None)] };

            var (status, output) = await _run.RunAsync(config);

            Assert.Equal("1\n", output);
            Assert.Equal(0, status.Code);
        }
        finally
        {
            Directory.Delete(hostDir);
        }
    }

    [Fact]
    public async Task Launch_WorkingDirAndEnv_Applied()
    {
        var config = _run.Config("sh", "-c", "pwd; echo $GREETING; env | grep -c .") with { WorkingDir = "/tmp", Env = ["PATH=/bin", "GREETING=hello"] };

        var (_, output) = await _run.RunAsync(config);

        // env: PATH, GREETING, plus PWD and SHLVL that sh itself adds.
        Assert.StartsWith("/tmp\nhello\n", output);
    }

    [Fact]
    public async Task Launch_MissingWorkingDir_Created()
    {
        var (status, output) = await _run.RunAsync(_run.Config("pwd") with { WorkingDir = "/work/dir" });

        Assert.Equal((0, "/work/dir\n"), (status.Code, output));
    }

    [Fact]
    public async Task Launch_User1000_IdsApplied()
    {
        var config = _run.Config("sh", "-c", "id -u; id -g; id -G") with { Uid = 1000, Gid = 1000, AdditionalGids = [1000, 27] };

        var (_, output) = await _run.RunAsync(config);

        Assert.Equal("1000\n1000\n1000 27\n", output);
    }

    [Fact]
    public async Task Launch_Capabilities_BoundingSetReduced()
    {
        const ulong chownAndNetBind = 1UL << 0 | 1UL << 10;
        var config = _run.Config("grep", "-E", "^Cap(Bnd|Inh|Eff|Amb)", "/proc/self/status") with { Capabilities = chownAndNetBind };

        var (_, output) = await _run.RunAsync(config);

        Assert.Contains("CapBnd:\t0000000000000401", output);
        Assert.Contains("CapEff:\t0000000000000401", output);
        Assert.Contains("CapInh:\t0000000000000000", output);
        Assert.Contains("CapAmb:\t0000000000000000", output);
    }

    [Fact]
    public async Task Launch_NoNewPrivileges_SetInIsle()
    {
        var (_, output) = await _run.RunAsync(_run.Config("grep", "NoNewPrivs", "/proc/self/status"));

        Assert.Equal("NoNewPrivs:\t1\n", output);
    }

    [Fact]
    public async Task Launch_SeccompFilter_DeniesMkdir()
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "the hand-written filter uses x86_64 syscall numbers");
        // ld nr; mkdir (83) or mkdirat (258) -> ERRNO(EPERM); else ALLOW.
        byte[] filter =
        [
            .. Bpf(0x20, 0, 0, 0),
            .. Bpf(0x15, 2, 0, 83),
            .. Bpf(0x15, 1, 0, 258),
            .. Bpf(0x06, 0, 0, 0x7fff0000),
            .. Bpf(0x06, 0, 0, 0x00050000 | 1),
        ];
        var config = _run.Config("sh", "-c", "mkdir /tmp/x 2>&1; echo rc=$?") with { SeccompFilter = filter };

        var (_, output) = await _run.RunAsync(config);

        Assert.Contains("Operation not permitted", output);
        Assert.Contains("rc=1", output);
    }

    static byte[] Bpf(ushort code, byte jt, byte jf, uint k) =>
        [(byte)code, (byte)(code >> 8), jt, jf, (byte)k, (byte)(k >> 8), (byte)(k >> 16), (byte)(k >> 24)];

    [Fact]
    public async Task Launch_NonCloexecFdInCaller_IsleSeesOnly012()
    {
        using var leaky = FileDescriptorInterop.Open("/etc/hostname", LibC.O_RDONLY); // no O_CLOEXEC on purpose
        using var dotnetFile = File.OpenRead("/etc/hostname");

        // The shell's fds, listed by a child. Not the last command (sh would exec ls, whose
        // own directory fd is 3) and no pipeline (which gives the shell pipe fds).
        var (_, output) = await _run.RunAsync(_run.Config("sh", "-c", "ls /proc/$$/fd; exit 0"));

        Assert.Equal("0\n1\n2\n", output);
    }

    [Fact]
    public async Task Launch_Shim_NotOurChildAndOwnSession()
    {
        var isle = await _run.StartAsync(_run.Config("sleep", "1000"));

        var shimStatus = File.ReadAllLines($"/proc/{isle.ShimPid}/status");
        var ppid = int.Parse(shimStatus.Single(l => l.StartsWith("PPid:")).Split('\t')[1]);
        var stat = File.ReadAllText($"/proc/{isle.ShimPid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var initPpid = int.Parse(File.ReadAllLines($"/proc/{isle.InitPid}/status").Single(l => l.StartsWith("PPid:")).Split('\t')[1]);

        Assert.NotEqual(Environment.ProcessId, ppid);
        Assert.Equal(isle.ShimPid, int.Parse(stat[3]));    // session id (field 6) = the shim: setsid
        Assert.Equal("islander:shim", File.ReadAllText($"/proc/{isle.ShimPid}/comm").Trim());
        Assert.Equal(isle.ShimPid, initPpid);
    }

    [Fact]
    public async Task Launch_BeforeStartThrows_RethrowsAndIsleAborts()
    {
        int initPid = 0;
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => _run.StartAsync(
            _run.Config("sleep", "1000"),
            (pid, _) =>
            {
                initPid = pid;
                _shims[pid] = ParentOf(pid);
                throw new InvalidOperationException("cgroup placement failed");
            }));

        Assert.Equal("cgroup placement failed", e.Message);
        Assert.NotEqual(0, initPid);
        int shim = ShimOf(initPid);
        Assert.True(IsleRun.IsGone(initPid), "init has exited when LaunchAsync throws");
        await IsleRun.WaitGoneAsync(shim);
        Assert.Null(_run.Launcher.ReadExitStatus(_run.StatusPath));
    }

    /// <summary>
    /// The networks are attached while init makes its root (beforeExec): init mounts, pivots and enters its working
    /// directory meanwhile, then waits for SYNC_EXEC (a read of fd 3 while it is still islander:mount), and the
    /// command runs only after beforeExec has returned.
    /// </summary>
    [Fact]
    public async Task Launch_BeforeExec_RunsWhileInitMakesItsRoot_TheCommandAfterIt()
    {
        string? stage = null, outputMeanwhile = null;
        await _run.StartAsync(_run.Config("sh", "-c", "echo started; hostname"), beforeExec: async (pid, ct) =>
        {
            for (int i = 0; i < 500; i++)
            {
                // /proc/PID/syscall: "0 0x3 ..." is read(3, ...), the wait for SYNC_EXEC (SYNC_GO's came as islander:init).
                if (File.ReadAllText($"/proc/{pid}/syscall").StartsWith("0 0x3 ", StringComparison.Ordinal))
                {
                    stage = File.ReadAllText($"/proc/{pid}/comm").Trim();
                    break;
                }
                await Task.Delay(10, ct);
            }
            await Task.Delay(200, ct); // a command that ran on would have written by now
            outputMeanwhile = File.Exists(_run.LogPath) ? _run.Log() : "";
        });
        var status = await _run.WaitAsync();

        Assert.Equal("islander:mount", stage); // its root made (the hostname too), waiting for the word
        Assert.Equal("", outputMeanwhile);
        Assert.Equal(0, status.Code);
        Assert.Equal("started\nisle-test\n", _run.Log());
    }

    [Fact]
    public async Task Launch_BeforeExecThrows_RethrowsAndIsleAbortsWithoutStarting()
    {
        int initPid = 0;
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => _run.StartAsync(_run.Config("sh", "-c", "echo started"),
            beforeExec: (pid, _) =>
            {
                initPid = pid;
                _shims[pid] = ParentOf(pid);
                throw new InvalidOperationException("network attach failed");
            }));

        Assert.Equal("network attach failed", e.Message);
        Assert.True(IsleRun.IsGone(initPid), "init has exited when LaunchAsync throws");
        await IsleRun.WaitGoneAsync(ShimOf(initPid));
        Assert.Null(_run.Launcher.ReadExitStatus(_run.StatusPath)); // never started: no status
        Assert.Equal("", File.Exists(_run.LogPath) ? _run.Log() : "");
    }

    /// <summary>
    /// init fails by itself while the networks are attached (here a mount whose source is missing), which ends its
    /// network namespace and so fails the attach too: the start fails with init's reason, not the attach's.
    /// </summary>
    [Fact]
    public async Task Launch_InitFailsWhileBeforeExecRuns_ItsOwnReasonIsThrown()
    {
        var config = _run.Config("true");
        config = config with { Mounts = [.. config.Mounts, new MountOp("/nonexistent-islander-source", "tmp", null, MountFlags.Bind)] };

        var e = await Assert.ThrowsAsync<IsleStartException>(() => _run.StartAsync(config, beforeExec: async (pid, ct) =>
        {
            _shims[pid] = ParentOf(pid);
            while (!IsleRun.IsGone(pid))
                await Task.Delay(10, ct);
            throw new InvalidOperationException("the isle's network namespace is gone");
        }));

        Assert.StartsWith($"start isle: mount {Path.Combine(_run.Rootfs, "tmp")}:", e.Message);
        Assert.Equal(Errno.ENOENT, ((SyscallException)e.InnerException!).Errno);
    }

    [Fact]
    public async Task Launch_CancelledDuringBeforeStart_IsleAbortsWithoutStarting()
    {
        using var cts = new CancellationTokenSource();
        int initPid = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _run.Launcher.LaunchAsync(
            _run.Config("sleep", "1000"), _run.Stdio,
            (pid, _) =>
            {
                initPid = pid;
                _shims[pid] = ParentOf(pid);
                cts.Cancel();
                return ValueTask.CompletedTask;
            },
            cts.Token));

        Assert.True(IsleRun.IsGone(initPid), "init has exited when LaunchAsync throws");
        await IsleRun.WaitGoneAsync(ShimOf(initPid));
        Assert.Null(_run.Launcher.ReadExitStatus(_run.StatusPath)); // never started: no status
    }

    [Fact]
    public async Task Launch_BeforeStart_SeesWaitingInit()
    {
        string? exe = null;
        int? parent = null;

        var isle = await _run.StartAsync(_run.Config("true"), (pid, _) =>
        {
            exe = new FileInfo($"/proc/{pid}/exe").LinkTarget;
            parent = int.Parse(File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("PPid:")).Split('\t')[1]);
            return ValueTask.CompletedTask;
        });

        Assert.Equal(_run.Launcher.IsleInitPath, exe); // not exec'd yet: waiting for SYNC_GO
        Assert.Equal(isle.ShimPid, parent);
    }

    [Fact]
    public async Task Launch_UserNamespace_RootInsideMappedOutside()
    {
        var config = _run.Config("sh", "-c", "id -u; cat /proc/self/uid_map") with
        {
            Namespaces = IsleRun.DefaultNamespaces | NamespaceFlags.User,
        };

        await _run.StartAsync(config, (pid, _) =>
        {
            UserNamespaceMaps.Write(pid, [new(0, 100000, 65536)], [new(0, 100000, 65536)], allowSetgroups: false);
            return ValueTask.CompletedTask;
        });
        var status = await _run.WaitAsync();
        var output = _run.Log();

        Assert.Equal(0, status.Code);
        Assert.StartsWith("0\n", output);
        Assert.Matches(@"\s+0\s+100000\s+65536", output);
    }

    [Fact]
    public async Task Launch_CgroupNamespace_OwnCgroupIsRoot()
    {
        var config = _run.Config("cat", "/proc/self/cgroup") with { Namespaces = IsleRun.DefaultNamespaces | NamespaceFlags.Cgroup };

        var (_, output) = await _run.RunAsync(config);

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.EndsWith(":/", l));
    }
}
