using Islander.Model;
using Islander.Controller.Api;
using Islander.Controller.Desired;
using Islander.Controller.Lifecycle;

namespace Islander.Controller.Tests.Desired;

/// <summary>A manifests directory that cannot be listed says nothing about what is desired: it prunes nothing.</summary>
public sealed class ManifestsUnavailableTests : IDisposable
{
    readonly ControllerHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task DirectoryRenamedAway_NothingIsPruned_StatusAndEventSaySo_BackAgain_ProblemsClear()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        _h.Write("db.yaml", ControllerHarness.IsleYaml("db"));
        await _h.SyncAsync();
        var pids = new[] { _h.Isle("web").Pid, _h.Isle("db").Pid };

        Directory.Move(_h.Manifests, _h.Manifests + ".away");
        Assert.False(_h.Source.Scan());
        await _h.SettleAsync();
        await _h.AdvanceAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.Equal(IslePhase.Running, _h.StateOf("db"));
        Assert.Equal(pids, new[] { _h.Isle("web").Pid, _h.Isle("db").Pid });
        var status = ObjectViews.Object(_h.Desired.Get(ObjectKey.Isle("web")), _h.Isle("web"), ObjectKey.Isle("web")).Status;
        Assert.Equal("Running", status.Phase);
        Assert.Equal(ManifestFiles.UnavailableReason, status.Reason);
        Assert.Contains($"{_h.Manifests} is missing", status.Message);
        Assert.Single(_h.Events.Recent(), e => e.Name == "web" && e.Reason == ManifestFiles.UnavailableReason);

        Assert.False(_h.Source.Scan()); // a later resync: no second event
        Assert.Single(_h.Events.Recent(), e => e.Name == "web" && e.Reason == ManifestFiles.UnavailableReason);

        Directory.Move(_h.Manifests + ".away", _h.Manifests);
        File.Delete(Path.Combine(_h.Manifests, "db.yaml")); // removed while away: pruned once the directory is back
        await _h.SyncAsync();

        Assert.Equal(pids[0], _h.Isle("web").Pid);
        Assert.Empty(_h.Desired.Get(ObjectKey.Isle("web"))!.Problems);
        Assert.Null(_h.StateOf("db"));
    }

    [Fact]
    public void Unavailable_NamesWhatIsWrong()
    {
        Assert.Null(ManifestFiles.Unavailable(_h.Manifests));
        Assert.Contains("is missing", ManifestFiles.Unavailable(Path.Combine(_h.Dir, "nope")));
        var file = Path.Combine(_h.Dir, "file");
        File.WriteAllText(file, "");
        Assert.Contains("is a file, not a directory", ManifestFiles.Unavailable(file));
    }
}
