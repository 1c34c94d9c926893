using System.Globalization;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// Live updates on the real kernel: a resources edit is written to the isle's cgroup in place (same pid, an event), and
/// <c>islanderctl diff</c> says for each changed field what the daemon then does (live, restart, recreate).
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonLiveUpdateTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonLiveUpdateTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    static long? Limit(string isle)
    {
        var text = File.ReadAllText(DaemonHarness.MemoryLimitFile(isle)).Trim();
        return text == "max" ? null : long.Parse(text, CultureInfo.InvariantCulture);
    }

    async Task<List<(string Reason, string Message)>> EventsOfAsync(string isle) =>
        [.. (await _h.EventsAsync()).Where(e => (string?)e["name"] == isle).Select(e => ((string)e["reason"]!, (string)e["message"]!))];

    [Fact]
    public async Task ManifestMemoryEdited_CgroupLimitWrittenInPlace_SamePidAndAnEvent()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("live");
        _h.WriteManifest("live.yaml", _h.IsleYaml(name, "sleep 3600", memory: "32Mi"));
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name, 20))!.Value;
        Assert.Equal(32L << 20, Limit(name));

        _h.WriteManifest("live.yaml", _h.IsleYaml(name, "sleep 3600", memory: "64Mi"));

        await DaemonLifecycleTests.WaitForAsync(() => Limit(name) == 64L << 20, "memory limit 64Mi in the isle's cgroup", seconds: 20);
        var isle = await _h.WaitIsleAsync(name, i => DaemonHarness.Generation(i) == 2 && (long?)i["status"]?["observedGeneration"] == 2,
            TimeSpan.FromSeconds(20), "generation 2 observed");
        Assert.Equal(pid, DaemonHarness.Pid(isle));
        Assert.True(DaemonHarness.ProcessExists(pid));
        Assert.Equal(0, DaemonHarness.RestartCount(isle));
        Assert.Contains(("ResourcesUpdated", $"generation 2, in place (pid {pid}): resources.memory 32Mi -> 64Mi"), await EventsOfAsync(name));
        Assert.DoesNotContain(await EventsOfAsync(name), e => e.Reason is "Stopping" or "Recreating" or "Restarting");
    }

    [Fact]
    public async Task MemoryBelowUsage_Refused_IsleRunsOnWithItsOldLimitAndSaysWhy()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("below");
        // tail keeps an unfinished line of 40 MiB of anonymous memory, waiting for an end of input that never comes.
        const string hold = "{ head -c 40m /dev/zero; sleep 3600; } | tail";
        _h.WriteManifest("below.yaml", _h.IsleYaml(name, hold, memory: "64Mi"));
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name, 20))!.Value;
        var usage = Path.Combine(Path.GetDirectoryName(DaemonHarness.MemoryLimitFile(name))!, HostCaps.CgroupV1 ? "memory.usage_in_bytes" : "memory.current");
        await DaemonLifecycleTests.WaitForAsync(() => long.Parse(File.ReadAllText(usage).Trim(), CultureInfo.InvariantCulture) > 38L << 20,
            "tail to hold 40 MiB", seconds: 30);

        _h.WriteManifest("below.yaml", _h.IsleYaml(name, hold, memory: "16Mi"));

        var isle = await _h.WaitIsleAsync(name, i => (string?)i["status"]?["reason"] == "ResourcesUpdateFailed", TimeSpan.FromSeconds(20), "refused");
        Assert.Equal("Running", DaemonHarness.Phase(isle));
        Assert.Equal(pid, DaemonHarness.Pid(isle));
        Assert.Contains("memory limit 16Mi is below what isle", (string?)isle["status"]?["message"]);
        Assert.Contains("runs on with its old limits", (string?)isle["status"]?["message"]);
        Assert.Equal(64L << 20, Limit(name));
        Assert.Contains(await EventsOfAsync(name), e => e.Reason == "ResourcesUpdateFailed");
        Assert.True(DaemonHarness.ProcessExists(pid));
    }

    /// <summary>For a live, a restart and a recreate edit: diff's words, then the apply does exactly that.</summary>
    [Theory]
    [InlineData("live", "  resources: {memory: 48Mi}\n", "~ spec.resources.memory: 32Mi -> 48Mi (live)", "~ update isle NAME live (same process: resources.memory)")]
    [InlineData("restart", "  resources: {memory: 32Mi}\n  env: [{name: MODE, value: debug}]\n", "~ spec.env: (unset) -> MODE=debug (restart)", "~ restart isle NAME with its new spec (spec changed)")]
    [InlineData("recreate", "  resources: {memory: 32Mi}\n  security: {privileged: true}\n", "~ spec.security.privileged: (unset) -> true (recreate)", "~ recreate isle NAME (spec changed)")]
    public async Task Diff_ThenApply_DaemonDoesWhatDiffSaid(string kind, string edit, string fieldLine, string actionLine)
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName(kind);
        var first = Path.Combine(_h.Dir, "first.yaml");
        var second = Path.Combine(_h.Dir, "second.yaml");
        await File.WriteAllTextAsync(first, _h.IsleYaml(name, "sleep 3600", memory: "32Mi"), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(second, _h.IsleYaml(name, "sleep 3600", extraSpec: edit), TestContext.Current.CancellationToken);
        var applied = await _h.CtlAsync("apply", "-f", first);
        Assert.True(applied.ExitCode == 0, applied.ToString());
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name, 20))!.Value;

        var diff = await _h.CtlAsync("diff", "-f", second);

        Assert.True(diff.ExitCode == 1, diff.ToString());
        Assert.Contains($"plan:\n  {actionLine.Replace("NAME", name, StringComparison.Ordinal)}\n      {fieldLine}\n", diff.Stdout);

        var apply = await _h.CtlAsync("apply", "-f", second);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        var isle = await _h.WaitIsleAsync(name, i => (long?)i["status"]?["observedGeneration"] == 2 && DaemonHarness.Phase(i) == "Running" && DaemonHarness.Pid(i) is not null,
            TimeSpan.FromSeconds(30), "running generation 2");
        var reasons = (await EventsOfAsync(name)).Select(e => e.Reason).ToList();
        if (kind == "live")
        {
            Assert.Equal(pid, DaemonHarness.Pid(isle));
            Assert.Contains("ResourcesUpdated", reasons);
            Assert.Equal(48L << 20, Limit(name));
        }
        else
        {
            Assert.NotEqual(pid, DaemonHarness.Pid(isle));
            Assert.False(DaemonHarness.ProcessExists(pid));
            Assert.Contains(kind == "restart" ? "Restarting" : "Recreating", reasons);
        }
    }
}
