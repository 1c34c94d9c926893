using Islander.Model;
using Islander.Cli.Api;
using Islander.Testing;

namespace Islander.Controller.Tests.Api;

/// <summary>
/// <c>islanderctl diff</c>'s words against what the daemon then does, for an edit of every field of the spec: the line
/// diff prints for the field names the kind the rule gives it, and after the apply a live edit kept the process (same
/// pid, event ResourcesUpdated or SpecUpdated) while a restart or recreate edit started a new one.
/// </summary>
public sealed class LiveUpdateApiTests : IAsyncLifetime
{
    readonly DaemonFixture _d = new();

    public async ValueTask InitializeAsync()
    {
        _d.Images.Add("busybox:latest");
        _d.Runtime.Install("true", (_, _) => Task.FromResult(0)); // db's healthcheck, which the healthyDependencies edit waits for
        await _d.StartAsync();
    }

    public async ValueTask DisposeAsync() => await _d.DisposeAsync();

    public static TheoryData<string> Fields => [.. IsleSpecRules.Rules.Select(r => r.Field)];

    static string Yaml(string name, IsleSpec spec) => ManifestWriter.WriteJson(new IsleManifest(new ObjectMeta(name), spec, ManifestSource.None));

    /// <summary>What the edits refer to: a network, a neighbour isle with a healthcheck, so that no edit is held back.</summary>
    async Task ApplyNeighboursAsync()
    {
        var network = "apiVersion: islander.io/v1\nkind: Network\nmetadata: {name: backend}\nspec: {subnet: 10.77.0.0/24}\n";
        var (exit, _, error) = await _d.CtlAsync("apply", "-f", _d.WriteTemp("neighbours.yaml", network + "---\n" + Yaml("db", SpecEdits.Base() with { Healthcheck = new IsleHealthCheck { Exec = ["true"], Interval = TimeSpan.FromSeconds(1) } })));
        Assert.True(exit == 0, error);
        await WaitAsync(() => _d.Runtime.IsRunning("db"), "isle db to run");
    }

    Task WaitAsync(Func<bool> condition, string what) => _d.WaitAsync(condition, TimeSpan.FromSeconds(20), what);

    [Theory]
    [MemberData(nameof(Fields))]
    public async Task Diff_ThenApply_OneFieldEdited_DaemonDoesWhatDiffSaid(string field)
    {
        await ApplyNeighboursAsync();
        var before = SpecEdits.Base();
        var after = SpecEdits.ByField[field](before);
        var (applied, _, applyError) = await _d.CtlAsync("apply", "-f", _d.WriteTemp("web.yaml", Yaml("web", before)));
        Assert.True(applied == 0, applyError);
        await WaitAsync(() => _d.Runtime.IsRunning("web"), "isle web to run");
        int pid = _d.Runtime.Probe("web").Pid!.Value;
        var edited = _d.WriteTemp("web2.yaml", Yaml("web", after));

        var (exit, output, error) = await _d.CtlAsync("diff", "-f", edited);

        Assert.True(exit == 1, error);
        var line = output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith($"~ spec.{field}:", StringComparison.Ordinal));
        var said = Enum.Parse<SpecChangeKind>(line[(line.LastIndexOf('(') + 1)..^1], ignoreCase: true);
        Assert.Equal(IsleSpecRules.Rules.Single(r => r.Field == field).Kind, said);

        var needed = IsleSpecRules.Needs(IsleSpecRules.Changes(before, after)); // the field's kind, or more with its companions
        Assert.Equal(needed, output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("~ spec.", StringComparison.Ordinal))
            .Select(l => Enum.Parse<SpecChangeKind>(l[(l.LastIndexOf('(') + 1)..^1], ignoreCase: true)).Max());

        var (exit2, _, error2) = await _d.CtlAsync("apply", "-f", edited);
        Assert.True(exit2 == 0, error2);
        using var client = new IslanderClient(_d.Socket);
        // The status first: Running at generation 2 is the end of the restart (its Creating commit shows generation 2
        // already, while the old process is probed as exited).
        await WaitAsync(() => client.GetAsync("isles", "web", default).GetAwaiter().GetResult().Status is { Phase: "Running", ObservedGeneration: 2 }
            && _d.Runtime.IsRunning("web"), "isle web to run generation 2");
        var events = (await client.EventsAsync(TestContext.Current.CancellationToken)).Where(e => e.Name == "web").Select(e => e.Reason).ToList();
        if (needed == SpecChangeKind.Live)
        {
            Assert.Equal(pid, _d.Runtime.Probe("web").Pid);
            Assert.Equal(1, _d.Runtime.Incarnations("web"));
            Assert.Contains(field.StartsWith("resources.", StringComparison.Ordinal) ? Reasons.ResourcesUpdated : Reasons.SpecUpdated, events);
        }
        else
        {
            Assert.NotEqual(pid, _d.Runtime.Probe("web").Pid);
            Assert.Equal(2, _d.Runtime.Incarnations("web"));
            Assert.Contains(needed == SpecChangeKind.Restart ? "Restarting" : "Recreating", events);
        }
        // The limits the isle has now are the desired ones, whichever way they came.
        Assert.DoesNotContain(IsleSpecRules.Changes(after, _d.Runtime.SpecOf("web")!), c => c.Field.StartsWith("resources.", StringComparison.Ordinal));
    }
}
