using System.Diagnostics;
using System.Text;
using Islander.Drivers.Cgroups;
using Islander.Drivers.Runtime;
using Islander.Model;
using Islander.Testing;

namespace Islander.Integration.Tests.Isles;

/// <summary><see cref="IsleRuntime.ExecAsync"/> on the real kernel: a process joins a running isle as <c>docker exec</c>'s does.</summary>
[Collection(IsleCollection.Name)]
public sealed class IsleExecTests : IAsyncDisposable
{
    readonly IsleHarness _h = new();

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    Task<(string Name, IsleProcess Process)> StartSleeperAsync(IsleSpec? spec = null) =>
        _h.StartAsync(spec ?? IsleHarness.Spec("sleep", "300") with { Hostname = "islet" });

    async Task<(ExecResult Result, string Out, string Err)> ExecAsync(string name, params string[] command) =>
        await ExecAsync(name, new ExecRequest { Command = command });

    async Task<(ExecResult Result, string Out, string Err)> ExecAsync(string name, ExecRequest request, CancellationToken ct = default)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var result = await _h.Runtime.ExecAsync(name, request, (stream, data, _) =>
        {
            (stream == ExecStream.Stdout ? stdout : stderr).Append(Encoding.UTF8.GetString(data.Span));
            return ValueTask.CompletedTask;
        }, ct == default ? Ct : ct);
        return (result, stdout.ToString(), stderr.ToString());
    }

    static Dictionary<string, string> Status(string text) =>
        text.Split('\n').Select(l => l.Split(':', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim());

    [Fact]
    public async Task Exec_Hostname_IsTheIslesAndStdoutStderrAreApart()
    {
        var (name, _) = await StartSleeperAsync();

        var (result, stdout, stderr) = await ExecAsync(name, "sh", "-c", "hostname; echo err >&2; exit 3");

        Assert.Equal(new ExecResult(3, 0), result);
        Assert.Equal("islet\n", stdout);
        Assert.Equal("err\n", stderr);
    }

    [Fact]
    public async Task Exec_Ps_ShowsTheIslesInitAsPid1AndItself()
    {
        var (name, _) = await StartSleeperAsync();

        var (_, stdout, _) = await ExecAsync(name, "ps", "-o", "pid,args");

        var lines = stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal("1 sleep 300", lines[0]);
        Assert.Contains(lines, l => l.EndsWith(" ps -o pid,args", StringComparison.Ordinal));
        Assert.Equal(2, lines.Count);
    }

    [Fact]
    public async Task Exec_Cgroup_IsTheIslesOwnInsideAndOnTheHost()
    {
        var (name, _) = await StartSleeperAsync();

        var (_, stdout, _) = await ExecAsync(name, "sh", "-c", "cat /proc/self/cgroup; echo pid $$; sleep 0.1");

        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines.Where(l => !l.StartsWith("pid ")), l => Assert.EndsWith(":/", l));
        // On the host: the exec'd shell is listed in each of the isle's groups while it runs.
        var script = "sleep 2";
        var run = ExecAsync(name, "sh", "-c", script);
        var sw = Stopwatch.StartNew();
        var groups = _h.Cgroups.Paths(name).Directories;
        Assert.NotEmpty(groups);
        while (true)
        {
            var counts = groups.Select(g => File.ReadAllLines(Path.Combine(g, "cgroup.procs")).Length).ToList();
            if (counts.All(c => c >= 2)) break; // init and the exec'd shell
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"exec'd process not in every group: {string.Join(",", counts)}");
            await Task.Delay(20, Ct);
        }
        Assert.Equal(0, (await run).Result.ExitCode);
    }

    [Fact]
    public Task Exec_StartsInTheIslesGroupsByItself_ItsLauncherStaysOutside() => AssertExecStartsInItsGroupsAsync(_h);

    [Fact]
    public async Task Exec_OnTheV2Driver_StartsInTheIslesGroupByItself_ItsLauncherStaysOutside()
    {
        await using var v2 = IsleHarness.OnCgroup2();
        await AssertExecStartsInItsGroupsAsync(v2);
    }

    /// <summary>
    /// isle-init starts the exec'd process in the isle's groups itself, as init (the v1 tasks files, CLONE_INTO_CGROUP):
    /// the runtime places no process from outside, the process is in the isle's group of every hierarchy, and its
    /// parent, the launcher (a host process), in none of them.
    /// </summary>
    static async Task AssertExecStartsInItsGroupsAsync(IsleHarness h)
    {
        var (name, process) = await h.StartAsync(IsleHarness.Spec("sleep", "300"));
        var placements = new PlacementCounter(h.Cgroups);
        var runtime = new IsleRuntime(new LinuxProcessLauncher(), placements, new Islander.Drivers.Network.BridgeNetworkDriver(),
            new Islander.Drivers.Rootfs.OverlayRootfs(h.Paths.StateRoot, h.Paths.RunRoot), h.Paths);
        var run = runtime.ExecAsync(name, new ExecRequest { Command = ["sleep", "2"] }, (_, _, _) => ValueTask.CompletedTask, Ct);

        var sw = Stopwatch.StartNew();
        int pid;
        while ((pid = h.Cgroups.Processes(name, Ct).FirstOrDefault(p => p != process.InitPid && File.ReadAllText($"/proc/{p}/comm").Trim() == "sleep")) == 0)
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), "no exec'd sleep in the isle's group");
            await Task.Delay(20, Ct);
        }
        var own = $"/{h.CgroupParent}/{name}";
        var groups = h.IsleHierarchiesOf(pid);
        Assert.NotEmpty(groups);
        Assert.All(groups, f => Assert.Equal(own, f[2]));
        int launcher = int.Parse(File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("PPid:", StringComparison.Ordinal))[5..].Trim());
        Assert.Equal("islander:exec", File.ReadAllText($"/proc/{launcher}/comm").Trim());
        Assert.All(h.IsleHierarchiesOf(launcher), f => Assert.NotEqual(own, f[2]));
        Assert.Equal(0, (await run).ExitCode);
        Assert.Equal(0, placements.Count);
    }

    /// <summary>The real driver, counting the processes the runtime places into an isle's groups from outside.</summary>
    sealed class PlacementCounter(ICgroupDriver inner) : ICgroupDriver
    {
        public int Count;
        public CgroupVersion Version => inner.Version;
        public void Create(string isle, IsleResources resources, DevicePolicy devices, CancellationToken ct) => inner.Create(isle, resources, devices, ct);
        public void Update(string isle, IsleResources resources, CancellationToken ct) => inner.Update(isle, resources, ct);
        public void AddProcess(string isle, int pid, CancellationToken ct)
        {
            Interlocked.Increment(ref Count);
            inner.AddProcess(isle, pid, ct);
        }
        public CgroupPaths Paths(string isle) => inner.Paths(isle);
        public IReadOnlySet<int> Processes(string isle, CancellationToken ct) => inner.Processes(isle, ct);
        public bool Exists(string isle, CancellationToken ct) => inner.Exists(isle, ct);
        public CgroupStats Stats(string isle, CancellationToken ct) => inner.Stats(isle, ct);
        public Task FreezeAsync(string isle, bool frozen, CancellationToken ct) => inner.FreezeAsync(isle, frozen, ct);
        public bool Frozen(string isle, CancellationToken ct) => inner.Frozen(isle, ct);
        public Task DeleteAsync(string isle, CancellationToken ct) => inner.DeleteAsync(isle, ct);
    }

    [Fact]
    public async Task Exec_Confinement_EqualsTheInits()
    {
        var (name, process) = await StartSleeperAsync();

        var (_, stdout, _) = await ExecAsync(name, "cat", "/proc/self/status");

        var exec = Status(stdout);
        var init = Status(File.ReadAllText($"/proc/{process.InitPid}/status"));
        foreach (var key in new[] { "CapBnd", "CapEff", "CapPrm", "CapInh", "NoNewPrivs", "Seccomp", "Uid", "Gid" })
            Assert.True(init[key] == exec[key], $"{key}: init {init[key]}, exec {exec[key]}");
        Assert.Equal("2", exec["Seccomp"]);
        Assert.Equal("0", exec["NoNewPrivs"]); // Docker's default, as the init
    }

    [Fact]
    public async Task Exec_Fds_OnlyStdio()
    {
        var (name, process) = await StartSleeperAsync();
        var run = ExecAsync(name, "sleep", "3");

        // Read from the host, so no reader's own fd is counted: the exec'd sleep is the group's other process.
        var group = _h.Cgroups.Paths(name).Directories[0];
        var sw = Stopwatch.StartNew();
        int pid;
        while ((pid = File.ReadAllLines(Path.Combine(group, "cgroup.procs")).Select(int.Parse).FirstOrDefault(p => p != process.InitPid)) == 0
               || File.ReadAllText($"/proc/{pid}/comm").Trim() != "sleep")
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), "no exec'd sleep in the isle's group");
            await Task.Delay(20, Ct);
        }
        var fds = Directory.GetFiles($"/proc/{pid}/fd").Select(f => $"{Path.GetFileName(f)} {new FileInfo(f).LinkTarget}").Order().ToList();

        Assert.True(fds.Select(f => f.Split(' ')[0]).SequenceEqual(["0", "1", "2"]), string.Join("\n", fds));
        Assert.Equal(0, (await run).Result.ExitCode);
    }

    [Fact]
    public async Task Exec_MissingCommand_ExecveEnoent()
    {
        var (name, _) = await StartSleeperAsync();

        var e = await Assert.ThrowsAsync<IsleExecException>(() => ExecAsync(name, "/bin/nope"));

        Assert.Equal("execve", e.Op);
        Assert.Equal(127, e.ExitCode);
        Assert.StartsWith("exec: execve /bin/nope: ENOENT", e.Message);
        var notExecutable = await Assert.ThrowsAsync<IsleExecException>(() => ExecAsync(name, "/etc/passwd"));
        Assert.Equal(126, notExecutable.ExitCode);
    }

    [Fact]
    public async Task Exec_UserEnvAndWorkingDir_AreTheRequests()
    {
        var (name, _) = await StartSleeperAsync(IsleHarness.Spec("sleep", "300") with { Env = [new EnvVar("MODE", "prod")], WorkingDir = "/tmp" });

        var isle = await ExecAsync(name, "sh", "-c", "id -u; pwd; echo $MODE $EXTRA");
        var asked = await ExecAsync(name, new ExecRequest { Command = ["sh", "-c", "id -u; pwd; echo $MODE $EXTRA $HOME"], User = "nobody", WorkingDir = "/etc", Env = ["EXTRA=x", "MODE=dev"] }, TestContext.Current.CancellationToken);

        Assert.Equal("0\n/tmp\nprod\n", isle.Out);
        Assert.Equal("65534\n/etc\ndev x /nonexistent\n", asked.Out);
    }

    [Fact]
    public async Task Exec_StoppedIsle_IsAConflict()
    {
        var (name, process) = await _h.StartAsync(IsleHarness.Spec("true"));
        await _h.Runtime.WaitAsync(name, process, Ct);

        var e = await Assert.ThrowsAsync<IslanderException>(() => ExecAsync(name, "true"));

        Assert.Equal(ErrorCategory.Conflict, e.Category);
        Assert.Contains("not running", e.Message);
    }

    [Fact]
    public async Task Exec_IsleDeleted_ProcessDiesWithIt()
    {
        var (name, _) = await StartSleeperAsync();
        var pidSeen = new TaskCompletionSource<int>();
        var run = _h.Runtime.ExecAsync(name, new ExecRequest { Command = ["sh", "-c", "echo $$; exec sleep 300"] }, (_, data, _) =>
        {
            pidSeen.TrySetResult(int.Parse(Encoding.UTF8.GetString(data.Span).Trim()));
            return ValueTask.CompletedTask;
        }, Ct);
        await pidSeen.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        await _h.Runtime.DeleteAsync(name, Ct);

        var result = await run.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(9, result.Signal);
    }

    [Fact]
    public async Task Exec_Cancelled_KillsTheProcess()
    {
        var (name, _) = await StartSleeperAsync();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = ExecAsync(name, new ExecRequest { Command = ["sh", "-c", "echo started; exec sleep 300"] }, cts.Token);
        await Task.Delay(500, Ct);

        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        var (_, ps, _) = await ExecAsync(name, "ps", "-o", "args");
        Assert.Equal(1, ps.Split('\n').Count(l => l.Trim() == "sleep 300")); // only init's own is left
    }

    [Fact]
    public async Task Exec_UserNamespace_JoinsItWithTheIslesMapping()
    {
        var map = new[] { new IdMapping(0, 100000, 65536) };
        var (name, _) = await StartSleeperAsync(IsleHarness.Spec("sleep", "300") with { Security = new IsleSecurity { UserNamespace = new UserNamespace(map, map) } });

        var (result, stdout, stderr) = await ExecAsync(name, "sh", "-c", "id -u; cat /proc/self/uid_map; echo $$");

        Assert.True(result.ExitCode == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("0", lines[0]);
        Assert.Equal(["0", "100000", "65536"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>A host file the escape tests try to read and a host path they try to write, both in the test's temp dir.</summary>
    (string Marker, string Escaped) HostTargets()
    {
        var marker = Path.Combine(_h.HostDir, "host-marker");
        File.WriteAllText(marker, "host-secret-" + Guid.NewGuid().ToString("N"));
        return (marker, Path.Combine(_h.HostDir, "escaped"));
    }

    /// <summary>From a working directory that is the host's /proc, ".." is the host's "/": read the marker and the shadow file, write a file.</summary>
    static string[] EscapeScript(string marker, string escaped) =>
        ["sh", "-c", $"ls ..; cat ..{marker}; head -2 ../etc/shadow; echo x > ..{escaped}"];

    static void AssertHostUntouched((ExecResult Result, string Out, string Err)? run, string marker, string escaped)
    {
        Assert.False(File.Exists(escaped), $"the isle wrote {escaped} on the host: {run}");
        if (run is var (_, stdout, stderr))
        {
            Assert.DoesNotContain(File.ReadAllText(marker), stdout + stderr);
            var shadow = File.ReadAllLines("/etc/shadow").Take(2).Where(l => l.Length > 0).ToList();
            Assert.All(shadow, l => Assert.DoesNotContain(l, stdout));
        }
    }

    // runc CVE-2024-21626: an fd of the launcher's on the host's /proc, open while the process chdirs, is a way out
    // through /proc/self/fd/N. The working directory is resolved in the isle's root, where a magic link is refused.
    [Fact]
    public async Task Exec_WorkingDirThroughProcSelfFd_IsRefusedAndTheHostUntouched()
    {
        var (name, _) = await StartSleeperAsync();
        var (marker, escaped) = HostTargets();

        // 5 was isle-init's fd on the host's /proc; 0-2 always exist; the others may.
        for (int fd = 0; fd <= 8; fd++)
        {
            var request = new ExecRequest { Command = EscapeScript(marker, escaped), WorkingDir = $"/proc/self/fd/{fd}" };
            (ExecResult, string, string)? run = null;
            var thrown = await Record.ExceptionAsync(async () => run = await ExecAsync(name, request, Ct));

            AssertHostUntouched(run, marker, escaped);
            var e = Assert.IsType<IsleExecException>(thrown);
            Assert.Equal(("chdir", ErrorCategory.InvalidManifest), (e.Op, e.Category)); // 422 for islanderctl exec, not a 500
            // ELOOP: a magic link; ENOENT: no such fd in the process; ENOTDIR: 0 is /dev/null.
            Assert.True(e.Errno is 40 or 2 or 20, e.Message);
        }
    }

    // The same escape without -w: the isle replaces its own working directory by a magic link, and waits for an
    // administrator's plain exec.
    [Fact]
    public async Task Exec_WorkingDirReplacedByProcSelfFdLink_IsRefusedAndTheHostUntouched()
    {
        var (name, _) = await StartSleeperAsync(IsleHarness.Spec("sleep", "300") with { WorkingDir = "/app" });
        var (marker, escaped) = HostTargets();
        var (planted, _, err) = await ExecAsync(name, new ExecRequest { Command = ["sh", "-c", "rmdir /app && ln -s /proc/self/fd/5 /app"], WorkingDir = "/" }, Ct);
        Assert.True(planted.ExitCode == 0, err);

        (ExecResult, string, string)? run = null;
        var thrown = await Record.ExceptionAsync(async () => run = await ExecAsync(name, EscapeScript(marker, escaped)));

        AssertHostUntouched(run, marker, escaped);
        var e = Assert.IsType<IsleExecException>(thrown);
        Assert.Equal(("chdir", "/app"), (e.Op, e.Path));
        Assert.True(e.Errno is 40 or 2, e.Message);
    }

    // A working directory that leads out of the isle's root by "..": resolved in the root, ".." stops at "/".
    [Fact]
    public async Task Exec_WorkingDirDotDot_StaysInTheIsle()
    {
        var (name, _) = await StartSleeperAsync();

        var (result, stdout, _) = await ExecAsync(name, new ExecRequest { Command = ["pwd"], WorkingDir = "/../../etc/.." }, Ct);

        Assert.Equal((0, "/\n"), (result.ExitCode, stdout));
    }

    // The fds a process gets: 0, 1, 2, nothing of isle-init's (no host /proc, no control or report pipe, no error
    // pipe), seen from inside, by the exec'd shell and by the isle's init (PID 1) about themselves.
    [Fact]
    public async Task Fds_InsideInitAndExec_AreOnlyStdio()
    {
        // The init's shell lists its own fds into the isle's log (no redirection: ash keeps a copy of a redirected fd).
        var (name, _) = await StartSleeperAsync(IsleHarness.Spec("sh", "-c", "ls /proc/$$/fd; exec sleep 300"));

        var (_, own, _) = await ExecAsync(name, "sh", "-c", "ls /proc/$$/fd; true"); // not the last command: sh would exec ls
        var (_, init, _) = await ExecAsync(name, "ls", "/proc/1/fd"); // the sleep the init's shell became
        var sw = Stopwatch.StartNew();
        while (_h.Log(name).Length < 6 && sw.Elapsed < TimeSpan.FromSeconds(5))
            await Task.Delay(20, Ct);

        Assert.Equal("0\n1\n2\n", own);
        Assert.Equal("0\n1\n2\n", init);
        Assert.Equal("0\n1\n2\n", _h.Log(name));
    }

    // An exec'd process that the isle's memory limit OOM-kills ends by SIGKILL: 137 for islanderctl, as for Docker.
    [Fact]
    public async Task Exec_OomKilled_EndsBySigkill()
    {
        var (name, _) = await StartSleeperAsync(IsleHarness.Spec("sleep", "300") with { Resources = new IsleResources { Memory = 32 << 20 } });

        var (result, stdout, stderr) = await ExecAsync(name, "sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived");

        Assert.Equal((9, 137), (result.Signal, result.ShellCode));
        Assert.DoesNotContain("survived", stdout);
        Assert.DoesNotContain("errno", stderr);
    }
}
