using System.Diagnostics;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// The lifecycle verbs as a user runs them: islanderctl against a real islanderd, isles of busybox on the real kernel,
/// checked where a user would look (islanderctl's output, the isle's own files, the cgroup's freezer).
/// </summary>
[Collection(IslanderctlCollection.Name)]
public sealed class IslanderctlLifecycleTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public IslanderctlLifecycleTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A file the isle wrote, read through its init's root (the isle's own /tmp); null while it is not there.</summary>
    static string? IsleFile(int pid, string path)
    {
        try { return File.ReadAllText($"/proc/{pid}/root{path}").Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    static string FreezerState(string isle) => HostCaps.CgroupV1
        ? File.ReadAllText(Path.Combine(HostCaps.Cgroups!.Root, "freezer", "islander", isle, "freezer.state")).Trim()
        : File.ReadAllText(Path.Combine(HostCaps.Cgroups!.Root, "islander", isle, "cgroup.events")).Contains("frozen 1") ? "FROZEN" : "THAWED";

    /// <summary>The isle's counter (written to a new file renamed over the old, so a read never sees half of it); 0 before the first.</summary>
    static long Count(int pid) => long.TryParse(IsleFile(pid, "/tmp/count"), out long n) ? n : 0;

    static async Task<long> CounterAsync(int pid)
    {
        string? text = null;
        await DaemonLifecycleTests.WaitForAsync(() => long.TryParse(text = IsleFile(pid, "/tmp/count"), out _), "the isle's counter file", seconds: 20);
        return long.Parse(text!, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Top_IsleRunningSleep_ListsItWithPidInsideAndHostPid()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("top");
        _h.WriteManifest("top.yaml", _h.IsleYaml(name, "sleep 1000 & wait"));
        int initPid = DaemonHarness.Pid(await _h.WaitRunningAsync(name, seconds: 20))!.Value;
        DaemonHarness.CtlResult top = null!;
        await DaemonLifecycleTests.WaitForAsync(() => (top = _h.CtlAsync("top", name).GetAwaiter().GetResult()).Stdout.Contains("root   sleep 1000"),
            "top to list sleep 1000", seconds: 20);

        Assert.True(top.ExitCode == 0, top.ToString());
        var lines = top.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["PID", "HOST", "PID", "USER", "COMMAND"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var init = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["1", initPid.ToString(System.Globalization.CultureInfo.InvariantCulture), "root", "sh", "-c"], init[..5]);
        var sleep = lines.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Single(f => f[3] == "sleep");
        int hostPid = int.Parse(sleep[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("sleep 1000", File.ReadAllText($"/proc/{hostPid}/cmdline").Replace('\0', ' ').Trim()); // the host pid is that process
        Assert.NotEqual("1", sleep[0]);
    }

    [Fact]
    public async Task Pause_FreezesTheCgroupAndTheCounterStops_UnpauseItGrowsAgain()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("pause");
        _h.WriteManifest("pause.yaml", _h.IsleYaml(name, "i=0; while true; do i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.05; done"));
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name, seconds: 20))!.Value;
        long before = await CounterAsync(pid);
        await DaemonLifecycleTests.WaitForAsync(() => Count(pid) > before, "the counter to grow", seconds: 20);

        var pause = await _h.CtlAsync("pause", name);

        Assert.True(pause.ExitCode == 0, pause.ToString());
        Assert.Equal($"isle/{name} paused", pause.Stdout.Trim());
        Assert.Equal("FROZEN", FreezerState(name));
        Assert.Equal("Paused", DaemonHarness.Phase((await _h.GetIsleAsync(name))!));
        long frozen = await CounterAsync(pid);
        await Task.Delay(1000, Ct); // twenty of its steps
        Assert.Equal(frozen, await CounterAsync(pid));
        Assert.Contains("Paused", (await _h.CtlAsync("get", "isles", name)).Stdout);

        var unpause = await _h.CtlAsync("unpause", name);

        Assert.True(unpause.ExitCode == 0, unpause.ToString());
        Assert.Equal("THAWED", FreezerState(name));
        await DaemonLifecycleTests.WaitForAsync(() => Count(pid) > frozen,
            "the counter to grow again after unpause", seconds: 20);
        var isle = (await _h.GetIsleAsync(name))!;
        Assert.Equal("Running", DaemonHarness.Phase(isle));
        Assert.Equal(pid, DaemonHarness.Pid(isle)); // the same processes, thawed
    }

    [Fact]
    public async Task Stop_RestartPolicyAlways_StaysStoppedAcrossDaemonRestart_StartRunsIt()
    {
        await _h.StartDaemonAsync("--resync", "1s");
        var name = _h.NewName("stop");
        _h.WriteManifest("stop.yaml", _h.IsleYaml(name, "exec sleep 1000", restartPolicy: "Always"));
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name, seconds: 20))!.Value;

        var stop = await _h.CtlAsync("stop", "-t", "1", name);

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Equal($"isle/{name} stopped", stop.Stdout.Trim());
        Assert.False(DaemonHarness.ProcessExists(pid));
        await _h.StopDaemonAsync();
        await _h.StartDaemonAsync("--resync", "1s");
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(4)) // several resync passes
        {
            var isle = (await _h.GetIsleAsync(name))!;
            Assert.Equal("Stopped", DaemonHarness.Phase(isle));
            Assert.Equal("StoppedByUser", (string?)isle["status"]?["reason"]);
            await Task.Delay(200, Ct);
        }
        var described = await _h.CtlAsync("describe", "isle", name);
        Assert.Contains("stopped by islanderctl stop at ", described.Stdout);

        var start = await _h.CtlAsync("start", name);

        Assert.True(start.ExitCode == 0, start.ToString());
        var running = await _h.WaitRunningAsync(name, seconds: 20);
        Assert.True(DaemonHarness.ProcessExists(DaemonHarness.Pid(running)!.Value));
        var wait = await _h.CtlAsync("wait", name, "--for=condition=Ready", "--timeout=20s");
        Assert.True(wait.ExitCode == 0, wait.ToString());
        Assert.Equal($"isle/{name} condition met", wait.Stdout.Trim());
    }

    [Fact]
    public async Task KillUsr1_TrapInTheIsleRuns_UnknownSignal_RefusedAndNothingSent()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("kill");
        _h.WriteManifest("kill.yaml", _h.IsleYaml(name, "trap 'echo got-usr1 > /tmp/usr1' USR1; touch /tmp/ready; while true; do sleep 0.1; done"));
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name, seconds: 20))!.Value;
        await DaemonLifecycleTests.WaitForAsync(() => IsleFile(pid, "/tmp/ready") is not null, "the trap to be set", seconds: 20);

        var bogus = await _h.CtlAsync("kill", "-s", "SIGBOGUS", name);
        Assert.Equal(1, bogus.ExitCode);
        Assert.Contains("unknown signal \"SIGBOGUS\"", bogus.Stderr);
        Assert.Contains("SIGUSR1", bogus.Stderr);

        var kill = await _h.CtlAsync("kill", "-s", "USR1", name);

        Assert.True(kill.ExitCode == 0, kill.ToString());
        await DaemonLifecycleTests.WaitForAsync(() => IsleFile(pid, "/tmp/usr1") == "got-usr1", "the USR1 trap to write its file", seconds: 20);
        var isle = (await _h.GetIsleAsync(name))!;
        Assert.Equal("Running", DaemonHarness.Phase(isle));
        Assert.Equal(pid, DaemonHarness.Pid(isle));
    }

    [Fact]
    public async Task BadInput_MissingIsle_StartRunning_UnpauseRunning_ClearErrorsNothingChanges()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("bad");
        _h.WriteManifest("bad.yaml", _h.IsleYaml(name, "exec sleep 1000"));
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name, seconds: 20))!.Value;

        foreach (var verb in (string[])["stop", "start", "restart", "kill", "pause", "unpause", "top"])
        {
            var missing = await _h.CtlAsync(verb, "no-such-isle");
            Assert.True(missing.ExitCode == 1, $"{verb}: {missing}");
            Assert.Contains("\"no-such-isle\" not found", missing.Stderr);
        }
        var start = await _h.CtlAsync("start", name);
        Assert.Equal(1, start.ExitCode);
        Assert.Contains($"isle {name} is already Running (pid {pid})", start.Stderr);
        var unpause = await _h.CtlAsync("unpause", name);
        Assert.Equal(1, unpause.ExitCode);
        Assert.Contains("not Paused", unpause.Stderr);

        var isle = (await _h.GetIsleAsync(name))!;
        Assert.Equal("Running", DaemonHarness.Phase(isle));
        Assert.Equal(pid, DaemonHarness.Pid(isle));
        Assert.Equal(0, DaemonHarness.RestartCount(isle));
    }
    /// <summary>
    /// port as docker port: a published port of a running isle and where it is on the host, which reaches the isle's
    /// server; a port it does not publish is an error naming it. The daemon runs in a network namespace of the test's own.
    /// </summary>
    [Fact]
    public async Task Port_PublishedPort_ListedAndReachesTheIsle_AnUnpublishedOneIsAnError()
    {
        using var host = Network.TestNetns.Create();
        host.Ok("ip link set lo up"); // as on a real host: the published port is tried on 127.0.0.1
        _h.NetnsPid = host.Pid;
        await _h.StartDaemonAsync();
        var name = _h.NewName("port");
        const string net = "ports";
        _h.WriteManifest("net.yaml", $"apiVersion: islander.io/v1\nkind: Network\nmetadata: {{name: {net}}}\nspec: {{subnet: 10.233.8.0/24}}\n");
        _h.WriteManifest("port.yaml", _h.IsleYaml(name, $"while true; do echo from-{name} | nc -l -p 80; done",
            extraSpec: $"  networks: [{{name: {net}}}]\n  ports: [{{containerPort: 80, hostPort: 18095}}, {{containerPort: 53, hostPort: 18096, protocol: UDP}}]\n"));
        await _h.WaitRunningAsync(name, 20);

        var all = await _h.CtlAsync("port", name);
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Equal($"80/tcp -> 0.0.0.0:18095\n53/udp -> 0.0.0.0:18096\n", all.Stdout);
        var one = await _h.CtlAsync("port", name, "80");
        Assert.Equal((0, "0.0.0.0:18095\n"), (one.ExitCode, one.Stdout));
        Assert.Contains($"from-{name}", host.Run("bash -c 'exec 3<>/dev/tcp/127.0.0.1/18095; timeout 5 cat <&3'").Out);

        var missing = await _h.CtlAsync("port", name, "81");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains($"no public port 81/tcp published for isle {name}", missing.Stderr);
    }
}
