using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// A spec as the daemon stores it leaves out what is at its default, also inside nested objects and list items; read
/// back after a restart it must be the spec that was applied (the same hash), or every isle would be recreated. Run
/// with <c>ISLANDER_TEST_ISLANDERD</c> naming the package's NativeAOT islanderd, this checks its source-generated
/// reading too.
/// </summary>
[Collection(IslanderctlCollection.Name)]
public sealed class DaemonStoredSpecTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonStoredSpecTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    /// <summary>From the manifests directory (read again after the restart) or applied through the API (then only the
    /// database has it: the restarted daemon reads its stored JSON back).
    /// <c>unlike</c>: a false flag and an empty object whose records start otherwise (rollback starts true, tmpfs
    /// null); the stored form must keep them, or the restarted daemon would read a rollback back, and a volume with no
    /// source.</summary>
    [Theory]
    [InlineData("files", "defaults")]
    [InlineData("api", "defaults")]
    [InlineData("api", "unlike")]
    public async Task NestedFieldsLeftToTheirDefaults_DaemonRestarted_SameSpecNoRecreateNoRollout(string via, string fields)
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("defaults");
        // Each nested object and list item leaves fields out: a tmpfs mount's readOnly, the health check's
        // interval/timeout/retries, the update's rollback and health timeout; resources and security are left out
        // whole (records whose lists, read back, are not their template's instances).
        var yaml = _h.IsleYaml(name, "exec sleep 1000", extraSpec: fields == "defaults" ? """
              volumes: [{mountPath: /scratch, tmpfs: {size: 16Mi}}]
              healthcheck: {exec: ["true"]}
              update: {minHealthyTime: 1s}

            """ : """
              volumes: [{mountPath: /scratch, tmpfs: {}}]
              update: {rollback: false}

            """);
        if (via == "files")
            _h.WriteManifest("defaults.yaml", yaml);
        else
        {
            var file = Path.Combine(Directory.CreateDirectory(Path.Combine(_h.Dir, "applied")).FullName, "defaults.yaml");
            File.WriteAllText(file, yaml);
            var apply = await _h.CtlAsync("apply", "-f", file);
            Assert.True(apply.ExitCode == 0, apply.ToString());
        }
        var before = await _h.WaitRunningAsync(name);
        int pid = DaemonHarness.Pid(before)!.Value;
        var describeBefore = await _h.CtlAsync("get", "isle", name, "-o", "yaml");
        Assert.True(describeBefore.ExitCode == 0, describeBefore.ToString());

        await _h.StopDaemonAsync();
        await _h.StartDaemonAsync();

        var after = await _h.WaitRunningAsync(name);
        await Task.Delay(1500, TestContext.Current.CancellationToken); // a pass that would recreate it has run by now
        after = (await _h.GetIsleAsync(name))!;
        Assert.Equal("Running", DaemonHarness.Phase(after));
        Assert.Equal(pid, DaemonHarness.Pid(after));
        Assert.Equal(DaemonHarness.Generation(before), DaemonHarness.Generation(after));
        Assert.Equal(0, DaemonHarness.RestartCount(after));
        var history = await _h.CtlAsync("rollout", "history", name);
        Assert.True(history.ExitCode == 0, history.ToString());
        Assert.Single(history.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1));
        var started = (await _h.EventsAsync()).Count(e => (string?)e["name"] == name && (string?)e["reason"] == "Started");
        Assert.Equal(1, started);
        var describeAfter = await _h.CtlAsync("get", "isle", name, "-o", "yaml");
        Assert.Equal(Spec(describeBefore.Stdout), Spec(describeAfter.Stdout));
        if (fields == "unlike")
        {
            Assert.Contains("rollback: false", describeAfter.Stdout, StringComparison.Ordinal);
            Assert.Matches(@"tmpfs: \{\s*\}", describeAfter.Stdout);
            // A restart makes the isle again from the spec read back: its tmpfs volume must be there.
            var restart = await _h.CtlAsync("restart", name);
            Assert.True(restart.ExitCode == 0, restart.ToString());
            await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) == "Running" && DaemonHarness.Pid(i) is { } p && p != pid,
                TimeSpan.FromSeconds(30), "running again with a new process");
            var mounts = await _h.CtlAsync("exec", name, "--", "cat", "/proc/mounts");
            Assert.Matches(@"(?m)^tmpfs /scratch tmpfs ", mounts.Stdout);
        }
    }

    /// <summary>The spec part of <c>get -o yaml</c> (its status changes with time).</summary>
    static string Spec(string yaml) => yaml[yaml.IndexOf("spec:", StringComparison.Ordinal)..] is var s && s.IndexOf("\nstatus:", StringComparison.Ordinal) is var end and >= 0 ? s[..end] : s;
}
