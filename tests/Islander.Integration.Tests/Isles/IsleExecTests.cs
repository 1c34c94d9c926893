using System.Diagnostics;
using System.Text;
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
    public async Task Exec_Confinement_EqualsTheInits()
    {
        var (name, process) = await StartSleeperAsync();

        var (_, stdout, _) = await ExecAsync(name, "cat", "/proc/self/status");

        var exec = Status(stdout);
        var init = Status(File.ReadAllText($"/proc/{process.InitPid}/status"));
        foreach (var key in new[] { "CapBnd", "CapEff", "CapPrm", "CapInh", "NoNewPrivs", "Seccomp", "Uid", "Gid" })
            Assert.True(init[key] == exec[key], $"{key}: init {init[key]}, exec {exec[key]}");
        Assert.Equal("2", exec["Seccomp"]);
        Assert.Equal("1", exec["NoNewPrivs"]);
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
        var asked = await ExecAsync(name, new ExecRequest { Command = ["sh", "-c", "id -u; pwd; echo $MODE $EXTRA $HOME"], User = "nobody", WorkingDir = "/etc", Env = ["EXTRA=x", "MODE=dev"] });

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
}
