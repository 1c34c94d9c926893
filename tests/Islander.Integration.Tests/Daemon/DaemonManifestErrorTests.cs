using System.Text.Json.Nodes;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>A bad manifest changes nothing running: the last good version stays, the error shows in get and events.</summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonManifestErrorTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonManifestErrorTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    public static TheoryData<string> Breakages => ["yaml-error", "invalid-field", "unknown-field"];

    [Theory]
    [MemberData(nameof(Breakages))]
    public async Task BadManifest_LastGoodVersionStaysRunning_GetShowsInvalidManifestWithFileAndLine_EventsListIt(string breakage)
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName();
        var good = _h.IsleYaml(name, "exec sleep 1000", memory: "32Mi");
        var file = _h.WriteManifest("isle.yaml", good);
        var running = await _h.WaitRunningAsync(name);
        int pid = DaemonHarness.Pid(running)!.Value;

        var (bad, line) = Break(good, breakage);
        _h.WriteManifest("isle.yaml", bad);

        var broken = await _h.WaitIsleAsync(name, i => (string?)i["status"]?["reason"] == "InvalidManifest", TimeSpan.FromSeconds(30), "InvalidManifest");
        var message = (string?)broken["status"]?["message"] ?? "";
        AssertFileLine(message, file, line);
        Assert.Equal("Running", DaemonHarness.Phase(broken));
        Assert.Equal(pid, DaemonHarness.Pid(broken));
        Assert.Equal(1, DaemonHarness.Generation(broken));

        // islanderctl get shows it too, as the user sees it.
        var get = await _h.CtlAsync("get", "isles", name, "-o", "json");
        Assert.True(get.ExitCode == 0, get.ToString());
        var viaCli = JsonNode.Parse(get.Stdout)!;
        Assert.Equal("InvalidManifest", (string?)viaCli["status"]?["reason"]);
        AssertFileLine((string?)viaCli["status"]?["message"] ?? "", file, line);
        var wide = await _h.CtlAsync("get", "isles", "-o", "wide");
        Assert.Contains("InvalidManifest", wide.Stdout);

        var events = await _h.CtlAsync("events");
        Assert.True(events.ExitCode == 0, events.ToString());
        Assert.Contains(events.Stdout.Split('\n'), l => l.Contains("InvalidManifest") && l.Contains(name) && FileLine(file, line).IsMatch(l));

        // Nothing changed in the kernel, even after a while.
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        var later = (await _h.GetIsleAsync(name))!;
        Assert.Equal(pid, DaemonHarness.Pid(later));
        Assert.Equal(0, DaemonHarness.RestartCount(later));
        Assert.True(DaemonHarness.ProcessExists(pid));
        Assert.Equal((32L << 20).ToString(), File.ReadAllText(DaemonHarness.MemoryLimitFile(name)).Trim());

        // Fixed again: the problem goes away, and the same spec does not recreate the isle.
        _h.WriteManifest("isle.yaml", good);
        var fixedIsle = await _h.WaitIsleAsync(name, i => i["status"]?["reason"] is null, TimeSpan.FromSeconds(30), "without a problem");
        Assert.Equal(pid, DaemonHarness.Pid(fixedIsle));
    }

    /// <summary><c>FILE:LINE:</c>; a YAML syntax error is reported where the parser noticed it, so any line there.</summary>
    static System.Text.RegularExpressions.Regex FileLine(string file, int line) =>
        new(System.Text.RegularExpressions.Regex.Escape(file) + ":" + (line > 0 ? line.ToString() : "[0-9]+") + ":");

    static void AssertFileLine(string message, string file, int line) =>
        Assert.True(FileLine(file, line).IsMatch(message), $"no {file}:{(line > 0 ? line.ToString() : "LINE")}: in \"{message}\"");

    /// <summary>The broken manifest and the 1-based line its problem must be reported on.</summary>
    static (string Yaml, int Line) Break(string good, string breakage)
    {
        var lines = good.Split('\n').ToList();
        int Find(string start) => lines.FindIndex(l => l.TrimStart().StartsWith(start, StringComparison.Ordinal));
        switch (breakage)
        {
            case "yaml-error":
            {
                int i = Find("command:");
                lines[i] = "  command: [\"sh\", \"-c\""; // an unclosed flow sequence
                return (string.Join('\n', lines), -1);
            }
            case "invalid-field":
            {
                int i = Find("resources:");
                lines[i] = "  resources: {memory: lots}";
                return (string.Join('\n', lines), i + 1);
            }
            case "unknown-field":
            {
                int i = Find("restartPolicy:");
                lines.Insert(i + 1, "  restartPolicyy: Never");
                return (string.Join('\n', lines), i + 2);
            }
            default: throw new ArgumentOutOfRangeException(nameof(breakage));
        }
    }

    // A working directory that leads through a magic link (runc CVE-2024-21626) fails at every start the same way:
    // phase Error with its own reason, not a back-off retried forever.
    [Fact]
    public async Task WorkingDirThroughProcSelfFd_ErrorNotBackOff()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName();
        _h.WriteManifest("isle.yaml", _h.IsleYaml(name, "pwd", extraSpec: "  workingDir: /proc/self/fd/1\n"));

        var failed = await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) is "Error" or "BackOff", TimeSpan.FromSeconds(10), "Error");
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken); // a back-off would have retried by now
        var later = await _h.WaitIsleAsync(name, _ => true, TimeSpan.FromSeconds(30), "status");

        Assert.Equal(("Error", "WorkingDirInvalid"), (DaemonHarness.Phase(failed), (string?)failed["status"]?["reason"]));
        Assert.Contains("chdir /proc/self/fd/1: ELOOP", (string?)failed["status"]?["message"]);
        Assert.Equal(("Error", 0), (DaemonHarness.Phase(later), DaemonHarness.RestartCount(later)));
    }
}
