using Islander.Controller.Api;
using Islander.Controller.Desired;
using Islander.Model;

namespace Islander.Controller.Tests.Desired;

/// <summary>
/// Owners of desired objects (the manifests directory, the API, git sources): each replaces only its own objects, the
/// API cannot change what another owner holds, a key two owners define stays with the first, and the prune rules
/// (<c>prune: false</c>, <c>islander.io/prune: disabled</c>) keep an object whose manifest goes.
/// </summary>
public sealed class DesiredOwnersTests : IDisposable
{
    readonly ControllerHarness _h = new();
    static readonly DesiredOwner Apps = DesiredOwner.Source("apps");
    static readonly DesiredOwner Ops = DesiredOwner.Source("ops");
    static readonly ObjectKey Web = ObjectKey.Isle("web");

    public void Dispose() => _h.Dispose();

    static (string, ManifestLoadResult<DesiredObject>) File(string file, string yaml) => (file, new ModelManifestParser().Parse(file, yaml));

    static string Isle(string name, string command = "sleep", string? annotations = null) =>
        ControllerHarness.IsleYaml(name, command).Replace($"  name: {name}\n", $"  name: {name}\n" + (annotations is null ? "" : $"  annotations: {annotations}\n"));

    DesiredEntry Entry(ObjectKey key) => _h.Desired.Get(key) ?? throw new Xunit.Sdk.XunitException($"{key} is not desired");

    [Fact]
    public void Replace_SourceObjects_ManagedBySourceAndApiRefusesChangeAndDelete()
    {
        _h.Desired.Replace(Apps, [File("hosts/web.yaml", Isle("web"))]);

        var entry = Entry(Web);
        Assert.Equal(Apps, entry.Owner);
        Assert.Equal("source/apps", ObjectViews.Object(entry, null, Web).Metadata.ManagedBy);
        var apply = Assert.Throws<IslanderException>(() => _h.Desired.Apply(DesiredObject.ForIsle("web", new IsleSpec { Rootfs = "/r", Command = ["/bin/sh"] }, "api")));
        Assert.Equal(ErrorCategory.Conflict, apply.Category);
        Assert.Contains("source/apps (hosts/web.yaml:1 in its repository)", apply.Message);
        var delete = Assert.Throws<IslanderException>(() => _h.Desired.Delete(Web));
        Assert.Equal(ErrorCategory.Conflict, delete.Category);
        Assert.Equal(["/bin/sleep"], Entry(Web).Object!.Isle!.Command);
    }

    [Fact]
    public void Replace_OneOwner_LeavesOtherOwnersObjects()
    {
        _h.Write("db.yaml", Isle("db"));
        _h.Source.Scan();
        _h.Desired.Apply(DesiredObject.ForIsle("api-made", new IsleSpec { Rootfs = "/r", Command = ["/bin/sh"] }, "api"));
        _h.Desired.Replace(Apps, [File("web.yaml", Isle("web"))]);
        _h.Desired.Replace(Ops, [File("cache.yaml", Isle("cache"))]);

        _h.Desired.Replace(Apps, []);
        _h.Remove("db.yaml");
        _h.Source.Scan();

        Assert.Null(_h.Desired.Get(Web));
        Assert.Null(_h.Desired.Get(ObjectKey.Isle("db")));
        Assert.Equal(Ops, Entry(ObjectKey.Isle("cache")).Owner);
        Assert.True(Entry(ObjectKey.Isle("api-made")).FromApi);
        Assert.Equal([ObjectKey.Isle("cache")], _h.Desired.Owned(Ops));
    }

    [Fact]
    public void Replace_KeyHeldByAnotherOwner_HolderKeepsItWithProblemThenClaimantTakesOverWithoutPrune()
    {
        _h.Write("web.yaml", Isle("web"));
        _h.Source.Scan();

        _h.Desired.Replace(Apps, [File("apps/web.yaml", Isle("web", "httpd"))]);

        var held = Entry(Web);
        Assert.Equal(DesiredOwner.Files, held.Owner);
        Assert.Equal(["/bin/sleep"], held.Object!.Isle!.Command);
        Assert.Contains("apps/web.yaml:1: Isle/web is defined in", Assert.Single(held.Problems));

        _h.Remove("web.yaml");
        _h.Source.Scan();

        var taken = Entry(Web);
        Assert.Equal(Apps, taken.Owner);
        Assert.Equal(["/bin/httpd"], taken.Object!.Isle!.Command);
        Assert.Equal(2, taken.Generation);
        Assert.Empty(taken.Problems);
    }

    [Fact]
    public void Replace_ClaimWithdrawn_ProblemOnHolderGoes()
    {
        _h.Desired.Replace(Apps, [File("web.yaml", Isle("web"))]);
        _h.Desired.Replace(Ops, [File("web.yaml", Isle("web", "httpd"))]);
        Assert.Single(Entry(Web).Problems);

        _h.Desired.Replace(Ops, []);

        Assert.Empty(Entry(Web).Problems);
        Assert.Equal(Apps, Entry(Web).Owner);
    }

    [Fact]
    public void Replace_SourceWithPruneFalse_ObjectKeptAndReleasedToApi()
    {
        _h.Desired.Replace(Apps, [File("web.yaml", Isle("web"))], prune: false);

        var changed = _h.Desired.Replace(Apps, [], prune: false);

        Assert.Equal([Web], changed);
        var kept = Entry(Web);
        Assert.True(kept.Released);
        Assert.True(kept.FromApi);
        Assert.Equal(["/bin/sleep"], kept.Object!.Isle!.Command);
        Assert.Equal("api", ObjectViews.Object(kept, null, Web).Metadata.ManagedBy);
        _h.Desired.Delete(Web);
        Assert.Null(_h.Desired.Get(Web));
    }

    [Fact]
    public void Replace_PruneDisabledAnnotation_KeptThenTakenBackWhenDefinedAgain()
    {
        _h.Write("web.yaml", Isle("web", annotations: "{islander.io/prune: disabled}"));
        _h.Write("db.yaml", Isle("db"));
        _h.Source.Scan();

        _h.Remove("web.yaml");
        _h.Remove("db.yaml");
        _h.Source.Scan();

        Assert.Null(_h.Desired.Get(ObjectKey.Isle("db")));
        Assert.True(Entry(Web).Released);
        Assert.Equal(1, Entry(Web).Generation);

        _h.Desired.Replace(Apps, [File("web.yaml", Isle("web", "httpd"))]);

        var adopted = Entry(Web);
        Assert.Equal(Apps, adopted.Owner);
        Assert.False(adopted.Released);
        Assert.Equal(2, adopted.Generation);
    }

    [Fact]
    public void Replace_PruneEnabledAnnotation_Pruned()
    {
        _h.Desired.Replace(Apps, [File("web.yaml", Isle("web", annotations: "{islander.io/prune: enabled}"))], prune: true);

        _h.Desired.Replace(Apps, []);

        Assert.Null(_h.Desired.Get(Web));
    }

    [Fact]
    public void Hold_OneOwner_OnlyItsObjectsGetTheProblemNothingPruned()
    {
        _h.Write("db.yaml", Isle("db"));
        _h.Source.Scan();
        _h.Desired.Replace(Apps, [File("web.yaml", Isle("web"))]);

        var held = _h.Desired.Hold(Apps, "source apps: cannot fetch");

        Assert.Equal([Web], held);
        Assert.Equal(["source apps: cannot fetch"], Entry(Web).Problems);
        Assert.NotNull(Entry(Web).Object);
        Assert.Empty(Entry(ObjectKey.Isle("db")).Problems);
    }

    [Fact]
    public void OwnersConflictsAndReleases_DaemonRestart_Survive()
    {
        _h.Desired.Replace(Apps, [File("web.yaml", Isle("web")), File("db.yaml", Isle("db", annotations: "{islander.io/prune: disabled, note: kept}"))]);
        _h.Desired.Replace(Ops, [File("web.yaml", Isle("web", "httpd"))]);
        _h.Desired.Replace(Apps, [File("web.yaml", Isle("web"))]);

        _h.Restart();

        var db = Entry(ObjectKey.Isle("db"));
        Assert.True(db.Released);
        Assert.Equal("kept", db.Object!.Annotations["note"]);
        var web = Entry(Web);
        Assert.Equal(Apps, web.Owner);
        Assert.Equal([Ops.Name], web.Conflicts.Keys);
        _h.Desired.Replace(Ops, []);
        Assert.Empty(Entry(Web).Problems);
    }
}
