using System.Diagnostics;
using System.Text.RegularExpressions;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>islanderctl against a real daemon (or none): exit codes, error messages, logs of a real isle.</summary>
[Collection(IslanderctlCollection.Name)]
public sealed class IslanderctlTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public IslanderctlTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task NoDaemon_FailsWithAMessageNamingTheSocket()
    {
        var r = await _h.CtlAsync("get", "isles");

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(_h.Socket, r.Stderr);
        Assert.Equal("", r.Stdout.Trim());
    }

    [Fact]
    public async Task GetMissingIsle_FailsWithNotFound()
    {
        await _h.StartDaemonAsync();

        var r = await _h.CtlAsync("get", "isles", "nope");

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("not found", r.Stderr);
        Assert.Contains("nope", r.Stderr);
    }

    [Fact]
    public async Task Logs_Tail1_PrintsTheLastLineOfARealIsle()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName();
        _h.WriteManifest("counter.yaml", _h.IsleYaml(name, "i=0; while true; do i=$((i+1)); echo line $i; sleep 0.1; done"));
        await _h.WaitRunningAsync(name);
        await DaemonLifecycleTests.WaitForAsync(() => File.Exists(_h.LogFile(name)) && File.ReadAllLines(_h.LogFile(name)).Length >= 3, "three lines logged");

        var r = await _h.CtlAsync("logs", name, "--tail", "1");

        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        var m = Regex.Match(line, @"^line (\d+)$");
        Assert.True(m.Success, line);
        var n = int.Parse(m.Groups[1].Value);
        Assert.True(n >= 3, line);

        var all = await _h.CtlAsync("logs", name);
        Assert.StartsWith("line 1\nline 2\n", all.Stdout);
    }

    [Fact]
    public async Task LogsFollow_StreamsNewOutputOfARealIsle()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName();
        _h.WriteManifest("counter.yaml", _h.IsleYaml(name, "i=0; while true; do i=$((i+1)); echo line $i; sleep 0.2; done"));
        await _h.WaitRunningAsync(name);

        using var follow = _h.StartCtl("logs", "-f", name);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var seen = new List<int>();
            var sw = Stopwatch.StartNew();
            while (seen.Count < 5)
            {
                var line = await follow.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null)
                    Assert.Fail($"logs -f ended: {await follow.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken)}");
                var m = Regex.Match(line!, @"^line (\d+)$");
                Assert.True(m.Success, line);
                seen.Add(int.Parse(m.Groups[1].Value));
            }
            // From the first line on, then lines written after the command started: consecutive, and live.
            Assert.Equal(Enumerable.Range(1, 5), seen);
            Assert.False(follow.HasExited, "logs -f exited instead of following");
        }
        finally
        {
            if (!follow.HasExited) follow.Kill();
            await follow.WaitForExitAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task ApplyDescribeDelete_ThroughTheCli()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName();
        var file = Path.Combine(_h.Dir, "applied.yaml");
        await File.WriteAllTextAsync(file, _h.IsleYaml(name, "exec sleep 1000"), TestContext.Current.CancellationToken);

        var apply = await _h.CtlAsync("apply", "-f", file);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name))!.Value;

        var describe = await _h.CtlAsync("describe", "isle", name);
        Assert.True(describe.ExitCode == 0, describe.ToString());
        Assert.Contains(pid.ToString(), describe.Stdout);

        var delete = await _h.CtlAsync("delete", "isle", name);
        Assert.True(delete.ExitCode == 0, delete.ToString());
        await DaemonLifecycleTests.WaitForAsync(() => !DaemonHarness.ProcessExists(pid), $"pid {pid} gone after delete");
        var sw = Stopwatch.StartNew();
        while (await _h.GetIsleAsync(name) is not null)
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), "isle still listed after delete");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        Assert.Empty(DaemonHarness.CgroupDirs(Path.Combine("islander", name)));
    }

    [Fact]
    public async Task RunRm_ThroughTheDaemon_PrintsOutputExitsWithTheCodeAndLeavesNothing()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("run");

        var r = await _h.CtlAsync("run", "--rm", "--name", name, "--rootfs", _h.Rootfs, "--", "sh", "-c", "echo hi; hostname; exit 3");

        Assert.True(r.ExitCode == 3, r.ToString() + "\n--- islanderd:\n" + _h.DaemonOutput);
        Assert.Equal($"hi\n{name}\n", r.Stdout);
        Assert.Null(await _h.GetIsleAsync(name));
        Assert.Empty(DaemonHarness.CgroupDirs(Path.Combine("islander", name)));
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Contains(name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_CommandNotFound_Exits127AndKeepsTheIsleWithItsReason()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("run");

        var r = await _h.CtlAsync("run", "--name", name, "--rootfs", _h.Rootfs, "--", "/bin/nope");

        Assert.True(r.ExitCode == 127, r.ToString());
        Assert.Contains("CommandNotFound", r.Stderr);
        Assert.Equal("Error", DaemonHarness.Phase((await _h.GetIsleAsync(name))!));
    }

    [Fact]
    public async Task Run_NoDaemon_RunsHereWithoutIslanderd()
    {
        var name = _h.NewName("run");

        var r = await DaemonHarness.RunCtlAsync("run", "--no-daemon", "--state", _h.StateDir, "--run", _h.RunDir, "--name", name,
            "--rootfs", _h.Rootfs, "--", "sh", "-c", "echo here; exit 4");

        Assert.True(r.ExitCode == 4, r.ToString());
        Assert.Equal("here\n", r.Stdout);
        Assert.Empty(DaemonHarness.CgroupDirs(Path.Combine("islander", name)));
    }

    /// <summary>
    /// A run --no-daemon that cannot start says why in one line (125, or 127 for a missing command, as docker run) and
    /// leaves nothing: no directory of the isle, nothing in the trash.
    /// </summary>
    [Fact]
    public async Task Run_NoDaemon_CannotStart_LeavesNoDirectory()
    {
        string missingRootfs = _h.NewName("run"), missingCommand = _h.NewName("run");

        var rootfs = await DaemonHarness.RunCtlAsync("run", "--no-daemon", "--state", _h.StateDir, "--run", _h.RunDir, "--name", missingRootfs,
            "--rootfs", Path.Combine(_h.Rootfs, "nowhere"), "--", "true");
        var command = await DaemonHarness.RunCtlAsync("run", "--no-daemon", "--state", _h.StateDir, "--run", _h.RunDir, "--name", missingCommand,
            "--rootfs", _h.Rootfs, "--", "/bin/nope");

        Assert.True(rootfs.ExitCode == 125, rootfs.ToString());
        Assert.Equal($"islanderctl: root filesystem {Path.Combine(_h.Rootfs, "nowhere")} of isle {missingRootfs} is not a directory\n", rootfs.Stderr);
        Assert.True(command.ExitCode == 127, command.ToString());
        foreach (var root in new[] { Path.Combine(_h.StateDir, "isles"), Path.Combine(_h.RunDir, "isles") })
            Assert.Empty(Isles.IsleHarness.LeftIn(root));
    }

    [Fact]
    public async Task Run_NoDaemon_CgroupParent_TheIslesGroupIsUnderIt_ABadOneIsRefusedByName()
    {
        var name = _h.NewName("run");
        var parent = $"islander-test-{name}";
        try
        {
            var r = await DaemonHarness.RunCtlAsync("run", "--no-daemon", "--cgroup-parent", parent, "--state", _h.StateDir, "--run", _h.RunDir,
                "--name", name, "--rootfs", _h.Rootfs, "--", "true");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.NotEmpty(DaemonHarness.CgroupDirs(parent)); // made there, and nothing under the default parent
            Assert.Empty(DaemonHarness.CgroupDirs(Path.Combine(parent, name)));
            Assert.Empty(DaemonHarness.CgroupDirs(Path.Combine("islander", name)));

            var bad = await DaemonHarness.RunCtlAsync("run", "--no-daemon", "--cgroup-parent", "a/../b", "--state", _h.StateDir, "--run", _h.RunDir,
                "--name", name, "--rootfs", _h.Rootfs, "--", "true");
            Assert.Equal(125, bad.ExitCode);
            Assert.Contains("--cgroup-parent: \"a/../b\" is not a cgroup path", bad.Stderr);
        }
        finally
        {
            foreach (var dir in DaemonHarness.CgroupDirs(parent))
                Directory.Delete(dir);
        }
    }

    /// <summary>
    /// run --no-daemon's words for an OOM kill: "was OOM-killed" only when pid 1 itself was killed; when a child was
    /// (tail holds the newline-free stream) and sh exits by itself, a process of the isle was.
    /// </summary>
    [Fact]
    public async Task Run_NoDaemon_OomKill_SaysWhetherPid1OrAChildWasKilled()
    {
        async Task<DaemonHarness.CtlResult> RunAsync(string name, string script) =>
            await DaemonHarness.RunCtlAsync("run", "--no-daemon", "--state", _h.StateDir, "--run", _h.RunDir, "--name", name,
                "-m", "32Mi", "--rootfs", _h.Rootfs, "--", "sh", "-c", script);
        string child = _h.NewName("child"), init = _h.NewName("init");

        var c = await RunAsync(child, Isles.OomScript.ChildKilledThenExit3);
        Assert.True(c.ExitCode == 3, c.ToString());
        Assert.Contains($"islanderctl: the OOM killer killed a process of isle {child} (it reached its memory limit of 32Mi); its pid 1 exited by itself with code 3\n", c.Stderr);

        // sh holds 100 MB in a variable: the OOM killer takes sh, pid 1.
        var i = await RunAsync(init, "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived");
        Assert.True(i.ExitCode == 137, i.ToString());
        Assert.Contains($"islanderctl: isle {init} was OOM-killed: it reached its memory limit of 32Mi\n", i.Stderr);
    }

    [Fact]
    public async Task Run_CtrlC_StopsAndDeletesTheIsle()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("run");
        using var run = _h.StartCtl("run", "--name", name, "--stop-timeout", "1", "--rootfs", _h.Rootfs, "--", "sh", "-c", "echo started; sleep 100");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            Assert.Equal("started", await run.StandardOutput.ReadLineAsync(timeout.Token));

            _ = Tmds.Linux.LibC.kill(run.Id, Tmds.Linux.LibC.SIGINT);
            await run.WaitForExitAsync(timeout.Token);

            Assert.True(run.ExitCode == 130, await run.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));
            var sw = Stopwatch.StartNew();
            while (await _h.GetIsleAsync(name) is not null && sw.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50, TestContext.Current.CancellationToken);
            Assert.Null(await _h.GetIsleAsync(name));
            Assert.Empty(DaemonHarness.CgroupDirs(Path.Combine("islander", name)));
        }
        finally
        {
            if (!run.HasExited) run.Kill();
            await run.WaitForExitAsync(CancellationToken.None);
        }
    }
}
