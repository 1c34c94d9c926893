using System.Text.Json.Nodes;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// OOM kills as Docker and Kubernetes report them: any process of the isle killed by the OOM killer during a run makes
/// the run's reason OOMKilled, with the exit code the isle's init really had.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonOomTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonOomTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task ChildOomKilledWhileTheDaemonIsDown_RestartedDaemonSaysOOMKilled_WithInitsExitCode()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("oom");
        // pid 1 (sh) waits for /go, then tail, not sh, is OOM-killed; sh goes on and exits 3.
        _h.WriteManifest("oom.yaml", _h.IsleYaml(name, "while [ ! -e /go ]; do sleep 0.05; done; " + Isles.OomScript.ChildKilledThenExit3,
            restartPolicy: "Never", memory: "32Mi"));
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name))!.Value;

        await _h.StopDaemonAsync(kill: true);
        await File.WriteAllTextAsync($"/proc/{pid}/root/go", "", TestContext.Current.CancellationToken);
        await DaemonLifecycleTests.WaitForAsync(() => !DaemonHarness.ProcessExists(pid), "the isle ends while the daemon is down", seconds: 10);
        await _h.StartDaemonAsync();

        await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) == "Failed", TimeSpan.FromSeconds(10), "failed");
        var get = await _h.CtlAsync("get", "isle", name, "-o", "json");
        Assert.True(get.ExitCode == 0, get.ToString());
        var status = JsonNode.Parse(get.Stdout)!["status"]!;
        Assert.True((string?)status["reason"] == "OOMKilled" && (int?)status["exitCode"] == 3 && status["exitSignal"] is null,
            $"status: {status.ToJsonString()}\nlog: {_h.Log(name)}");
        var describe = await _h.CtlAsync("describe", "isle", name);
        Assert.True(describe.ExitCode == 0, describe.ToString());
        Assert.Contains("OOMKilled", describe.Stdout);
        Assert.Contains("exited with code 3", describe.Stdout);
    }

    [Fact]
    public async Task Run_ShellWhoseChildIsOomKilled_Exits137WithReasonOOMKilled()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("run");

        // The reproduction: tail is killed, sh (pid 1) reports it as 137. Under load the kernel sometimes kills sh
        // too (it faults while tail's pages are still charged to the group): then pid 1 was OOM-killed, and the message
        // must say that instead. Either way the reason is OOMKilled and the exit code 137.
        var r = await _h.CtlAsync("run", "--name", name, "-m", "32Mi", "--rootfs", _h.Rootfs, "--", "sh", "-c", "head -c 96m /dev/zero | tail");

        Assert.True(r.ExitCode == 137, r.ToString() + "\n--- islanderd:\n" + _h.DaemonOutput);
        var status = (await _h.GetIsleAsync(name))!["status"]!;
        Assert.Equal(("OOMKilled", 137), ((string?)status["reason"], (int?)status["exitCode"]));
        if (status["exitSignal"] is null) // sh exited by itself; the signal was its child's
        {
            Assert.Contains($"islanderctl: the OOM killer killed a process of isle {name} (it reached its memory limit of 32Mi); its pid 1 exited by itself with code 137\n", r.Stderr);
            Assert.DoesNotContain("OOM-killed", r.Stderr);
        }
        else
        {
            Assert.Equal(9, (int?)status["exitSignal"]);
            Assert.Contains($"islanderctl: isle {name} was OOM-killed", r.Stderr);
        }
    }

    [Fact]
    public async Task OomGroupOnCgroupV1_EditRefusedAtItsFileLineAndField_RunningIsleUntouched()
    {
        HostCaps.RequireCgroup(Drivers.Cgroups.CgroupVersion.V1);
        await _h.StartDaemonAsync();
        var name = _h.NewName("oomgroup");
        var file = _h.WriteManifest("isle.yaml", _h.IsleYaml(name, "exec sleep 1000", memory: "32Mi"));
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name))!.Value;

        var bad = _h.IsleYaml(name, "exec sleep 1000", memory: "32Mi, oomGroup: true");
        int line = bad.Split('\n').ToList().FindIndex(l => l.Contains("oomGroup")) + 1;
        _h.WriteManifest("isle.yaml", bad);

        var broken = await _h.WaitIsleAsync(name, i => (string?)i["status"]?["reason"] == "InvalidManifest", TimeSpan.FromSeconds(30), "InvalidManifest");
        var message = (string?)broken["status"]?["message"] ?? "";
        Assert.Contains($"{file}:{line}:", message);
        Assert.Contains("spec.resources.oomGroup: needs cgroup v2 (memory.oom.group), and this host runs cgroup v1", message);
        Assert.Equal(("Running", pid), (DaemonHarness.Phase(broken), DaemonHarness.Pid(broken)));

        // islanderctl apply refuses it the same way, before anything is stored.
        var applied = Path.Combine(_h.Dir, "applied.yaml");
        await File.WriteAllTextAsync(applied, bad.Replace(name, name + "-b"), TestContext.Current.CancellationToken);
        var apply = await _h.CtlAsync("apply", "-f", applied);
        Assert.NotEqual(0, apply.ExitCode);
        Assert.Contains("spec.resources.oomGroup", apply.Stderr);
        Assert.Null(await _h.GetIsleAsync(name + "-b"));
    }
}
