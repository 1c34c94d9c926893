using Islander.Controller.Desired;
using Islander.Model;

namespace Islander.Controller.Tests.Desired;

public sealed class DesiredStoreTests : IDisposable
{
    readonly ControllerHarness _h = new();

    public void Dispose() => _h.Dispose();

    static DesiredObject Isle(string name, string command = "/bin/sleep") =>
        DesiredObject.ForIsle(name, new IsleSpec { Rootfs = "/r", Command = [command] }, "api");

    [Fact]
    public void Apply_SpecChanges_GenerationCounts()
    {
        Assert.Equal(ApplyOutcome.Created, _h.Desired.Apply(Isle("web")));
        Assert.Equal(ApplyOutcome.Unchanged, _h.Desired.Apply(Isle("web")));
        Assert.Equal(ApplyOutcome.Configured, _h.Desired.Apply(Isle("web", "/bin/httpd")));

        Assert.Equal(2, _h.Desired.Get(ObjectKey.Isle("web"))!.Generation);
    }

    [Fact]
    public void Apply_ObjectFromManifestFile_Conflict()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        _h.Source.Scan();

        var e = Assert.Throws<IslanderException>(() => _h.Desired.Apply(Isle("web")));

        Assert.Equal(ErrorCategory.Conflict, e.Category);
        Assert.Contains("web.yaml", e.Message);
    }

    [Fact]
    public async Task ApiObjects_DaemonRestart_Survive()
    {
        _h.Desired.Apply(Isle("web"));
        await _h.SettleAsync();

        _h.Restart();
        await _h.SyncAsync();

        Assert.True(_h.Desired.Get(ObjectKey.Isle("web"))!.FromApi);
        Assert.Equal(1, _h.Runtime.Incarnations("web"));
        Assert.True(_h.Runtime.IsRunning("web"));
    }

    [Fact]
    public void Delete_Missing_NotFound() =>
        Assert.Equal(ErrorCategory.NotFound, Assert.Throws<IslanderException>(() => _h.Desired.Delete(ObjectKey.Isle("nope"))).Category);

    [Fact]
    public void ReplaceFiles_ManifestAlsoAppliedThroughApi_ProblemOnObjectApiVersionStays()
    {
        _h.Desired.Apply(Isle("web"));
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", command: "httpd"));

        _h.Source.Scan();

        var entry = _h.Desired.Get(ObjectKey.Isle("web"))!;
        Assert.True(entry.FromApi);
        Assert.Equal(["/bin/sleep"], entry.Object!.Isle!.Command);
        Assert.Contains("applied through the API", Assert.Single(entry.Problems));
    }
}
