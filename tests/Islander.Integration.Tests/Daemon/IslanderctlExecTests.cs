using System.Diagnostics;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary><c>islanderctl exec</c> through a real islanderd into real isles.</summary>
[Collection(IslanderctlCollection.Name)]
public sealed class IslanderctlExecTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public IslanderctlExecTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    async Task<string> RunningIsleAsync()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("web");
        _h.WriteManifest("web.yaml", _h.IsleYaml(name, "sleep 300"));
        await _h.WaitRunningAsync(name);
        return name;
    }

    [Fact]
    public async Task Exec_Script_StdoutStderrAndItsExitCode()
    {
        var name = await RunningIsleAsync();

        var r = await _h.CtlAsync("exec", name, "--", "sh", "-c", "echo out; echo err >&2; exit 4");

        Assert.True(r.ExitCode == 4, r.ToString());
        Assert.Equal("out\n", r.Stdout);
        Assert.Equal("err\n", r.Stderr);
    }

    [Fact]
    public async Task Exec_Hostname_AndPs_AreTheIsles()
    {
        var name = await RunningIsleAsync();

        var hostname = await _h.CtlAsync("exec", name, "--", "hostname");
        var ps = await _h.CtlAsync("exec", "-e", "GREETING=hi", name, "--", "sh", "-c", "echo $GREETING; ps -o pid,args");

        Assert.Equal(name + "\n", hostname.Stdout);
        var lines = ps.Stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("hi", lines[0]);
        Assert.Equal("1 sleep 300", lines[2]); // sh -c execs its last command
    }

    [Fact]
    public async Task Exec_MissingCommand_127()
    {
        var name = await RunningIsleAsync();

        var r = await _h.CtlAsync("exec", name, "--", "/bin/nope");

        Assert.True(r.ExitCode == 127, r.ToString());
        Assert.Contains("exec: execve /bin/nope: ENOENT", r.Stderr);
    }

    [Fact]
    public async Task Exec_MissingOrEndedIsle_ClearErrorExit1()
    {
        await _h.StartDaemonAsync();
        var job = _h.NewName("job");
        _h.WriteManifest("job.yaml", _h.IsleYaml(job, "exit 1", restartPolicy: "Never"));
        await _h.WaitIsleAsync(job, i => DaemonHarness.Phase(i) == "Failed", TimeSpan.FromSeconds(10), "Failed");

        var ended = await _h.CtlAsync("exec", job, "--", "true");
        var missing = await _h.CtlAsync("exec", "nope", "--", "true");

        Assert.True(ended.ExitCode == 1, ended.ToString());
        Assert.Equal($"error: isle {job} is not running (phase Failed); exec needs a running isle\n", ended.Stderr);
        Assert.True(missing.ExitCode == 1, missing.ToString());
        Assert.Equal("error: isle \"nope\" not found\n", missing.Stderr);
    }

    [Fact]
    public async Task Exec_CtrlC_KillsTheCommand()
    {
        var name = await RunningIsleAsync();
        using var exec = _h.StartCtl("exec", name, "--", "sh", "-c", "echo started; exec sleep 123");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            Assert.Equal("started", await exec.StandardOutput.ReadLineAsync(timeout.Token));

            _ = Tmds.Linux.LibC.kill(exec.Id, Tmds.Linux.LibC.SIGINT);
            await exec.WaitForExitAsync(timeout.Token);

            Assert.True(exec.ExitCode == 130, await exec.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));
            var sw = Stopwatch.StartNew();
            while ((await _h.CtlAsync("exec", name, "--", "ps", "-o", "args")).Stdout.Contains("sleep 123"))
            {
                Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), "the exec'd sleep still runs after Ctrl-C");
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }
        }
        finally
        {
            if (!exec.HasExited) exec.Kill();
            await exec.WaitForExitAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Exec_IsleDeleted_CommandEndsWith137()
    {
        var name = await RunningIsleAsync();
        using var exec = _h.StartCtl("exec", name, "--", "sh", "-c", "echo started; exec sleep 300");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            Assert.Equal("started", await exec.StandardOutput.ReadLineAsync(timeout.Token));

            _h.RemoveManifest("web.yaml");
            await exec.WaitForExitAsync(timeout.Token);

            Assert.True(exec.ExitCode == 137, await exec.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));
        }
        finally
        {
            if (!exec.HasExited) exec.Kill();
            await exec.WaitForExitAsync(CancellationToken.None);
        }
    }

    // runc CVE-2024-21626 through the CLI, as reported: -w /proc/self/fd/5 was isle-init's fd on the host's /proc.
    [Fact]
    public async Task Exec_WorkingDirThroughProcSelfFd_RefusedAndTheHostUntouched()
    {
        var name = await RunningIsleAsync();
        var escaped = Path.Combine(Path.GetTempPath(), "islander-escape-" + Guid.NewGuid().ToString("N"));
        try
        {
            var r = await _h.CtlAsync("exec", "-w", "/proc/self/fd/5", name, "--", "sh", "-c", $"ls ..; head -2 ../etc/shadow; echo x > ..{escaped}");

            Assert.False(File.Exists(escaped), r.ToString());
            Assert.DoesNotContain("root:", r.Stdout);
            Assert.True(r.ExitCode != 0, r.ToString());
            Assert.Contains("chdir /proc/self/fd/5", r.Stderr);
        }
        finally
        {
            File.Delete(escaped);
        }
    }

    // An OOM-killed exec ends by SIGKILL: 137, as docker exec, and no "poll ...: errno 0 (Success)".
    [Fact]
    public async Task Exec_OomKilled_137()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("web");
        _h.WriteManifest("web.yaml", _h.IsleYaml(name, "sleep 300", memory: "32Mi"));
        await _h.WaitRunningAsync(name);

        var r = await _h.CtlAsync("exec", name, "--", "sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived");

        Assert.True(r.ExitCode == 137, r.ToString());
        Assert.DoesNotContain("survived", r.Stdout);
        Assert.DoesNotContain("errno", r.Stderr);
    }
}
