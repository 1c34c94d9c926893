using Islander.Controller.Desired;
using Islander.Controller.Sources;
using Islander.Model;
using Islander.Testing;

namespace Islander.Controller.Tests.Sources;

/// <summary>
/// A source's pass against real repositories (the git program, file:// remotes): a revision applied whole as the owner
/// source/NAME, refused whole when a manifest is invalid, and nothing pruned when the fetch, the ref or the path fails.
/// </summary>
public sealed class SourceReconcilerTests : IDisposable
{
    readonly ControllerHarness _h = new();
    readonly GitRemote _git = new();
    static readonly ObjectKey Web = ObjectKey.Isle("web"), Db = ObjectKey.Isle("db");

    public void Dispose()
    {
        _h.Dispose();
        _git.Dispose();
    }

    static string Isle(string name, string command = "sleep") => ControllerHarness.IsleYaml(name, command);

    void ApplySource(string url, string? extra = null, string path = "hosts/web1", string? refLine = null)
    {
        var yaml = $"""
            apiVersion: islander.io/v1
            kind: Source
            metadata: {"{name: apps}"}
            spec:
              git:
                url: {url}
                path: {path}
                {refLine ?? "ref: main"}
            {extra ?? ""}
            """;
        var parsed = new ModelManifestParser().Parse("apps.yaml", yaml);
        Assert.Empty(parsed.Diagnostics);
        _h.Desired.Apply(Assert.Single(parsed.Objects));
    }

    Task PassAsync(bool fetchNow = true)
    {
        if (fetchNow) _h.Get<SourceFetches>().Request("apps");
        return _h.Get<SourceReconciler>().ReconcileAsync("apps", TestContext.Current.CancellationToken);
    }

    State.SourceRecord Status => _h.Store.GetSource("apps") ?? throw new Xunit.Sdk.XunitException("no source record");

    IReadOnlyList<string> Command(ObjectKey key) => _h.Desired.Get(key)?.Object?.Isle?.Command ?? [];

    [Fact]
    public async Task Pass_Revision_AppliedAsSourceOwnerOnlyUnderPath()
    {
        var commit = _git.Commit("first", ("hosts/web1/web.yaml", Isle("web")), ("hosts/web1/db/db.yaml", Isle("db")), ("hosts/other/x.yaml", Isle("x")));
        ApplySource(_git.Url);

        await PassAsync();

        Assert.Equal(DesiredOwner.Source("apps"), _h.Desired.Get(Web)!.Owner);
        Assert.Equal("hosts/web1/web.yaml:1", _h.Desired.Get(Web)!.Object!.Source);
        Assert.NotNull(_h.Desired.Get(Db));
        Assert.Null(_h.Desired.Get(ObjectKey.Isle("x")));
        Assert.True(Status.Ready);
        Assert.Equal(SourceReasons.Applied, Status.Reason);
        Assert.Equal($"main@sha1:{commit}", Status.AppliedRevision);
        Assert.Equal(Status.AppliedRevision, Status.FetchedRevision);
    }

    [Fact]
    public async Task Pass_NewCommit_ChangedAndRemovedObjectsFollow()
    {
        _git.Commit("first", ("hosts/web1/web.yaml", Isle("web")), ("hosts/web1/db.yaml", Isle("db")));
        ApplySource(_git.Url);
        await PassAsync();

        var second = _git.Commit("second", ("hosts/web1/web.yaml", Isle("web", "httpd")), ("hosts/web1/db.yaml", null));
        await PassAsync();

        Assert.Equal(["/bin/httpd"], Command(Web));
        Assert.Equal(2, _h.Desired.Get(Web)!.Generation);
        Assert.Null(_h.Desired.Get(Db));
        Assert.Equal($"main@sha1:{second}", Status.AppliedRevision);
    }

    [Fact]
    public async Task Pass_IntervalNotDue_DoesNotFetch()
    {
        _git.Commit("first", ("hosts/web1/web.yaml", Isle("web")));
        ApplySource(_git.Url, refLine: "ref: main\n    interval: 1m");
        await PassAsync();
        _git.Commit("second", ("hosts/web1/web.yaml", Isle("web", "httpd")));

        var early = await _h.Get<SourceReconciler>().ReconcileAsync("apps", TestContext.Current.CancellationToken);
        Assert.Equal(["/bin/sleep"], Command(Web));
        Assert.Equal(TimeSpan.FromMinutes(1), early.RequeueAfter);

        _h.Time.Advance(TimeSpan.FromMinutes(1));
        await PassAsync(fetchNow: false);
        Assert.Equal(["/bin/httpd"], Command(Web));
    }

    [Fact]
    public async Task Pass_InvalidManifestInRevision_WholeRevisionRefusedOldStays()
    {
        var first = _git.Commit("first", ("hosts/web1/web.yaml", Isle("web")), ("hosts/web1/db.yaml", Isle("db")));
        ApplySource(_git.Url);
        await PassAsync();

        var bad = _git.Commit("bad", ("hosts/web1/web.yaml", Isle("web", "httpd")), ("hosts/web1/db.yaml", null),
            ("hosts/web1/cache.yaml", Isle("cache").Replace("restartPolicy: Always", "restartPolicy: Sometimes")));
        await PassAsync();

        Assert.Equal(["/bin/sleep"], Command(Web));
        Assert.NotNull(_h.Desired.Get(Db));
        Assert.Null(_h.Desired.Get(ObjectKey.Isle("cache")));
        Assert.False(Status.Ready);
        Assert.Equal(SourceReasons.InvalidRevision, Status.Reason);
        Assert.Contains($"revision main@{bad[..12]} refused whole (1 problem): hosts/web1/cache.yaml:8:", Status.Message);
        Assert.Contains("spec.restartPolicy", Status.Message);
        Assert.Contains($"revision main@sha1:{first} stays applied", Status.Message);
        Assert.Contains(_h.Store.Events(), e => e.Name == "apps" && e.Reason == SourceReasons.InvalidRevision);

        var fixedCommit = _git.Commit("fixed", ("hosts/web1/cache.yaml", Isle("cache")));
        await PassAsync();
        Assert.True(Status.Ready);
        Assert.Equal(["/bin/httpd"], Command(Web));
        Assert.Null(_h.Desired.Get(Db));
        Assert.Equal($"main@sha1:{fixedCommit}", Status.AppliedRevision);
    }

    [Fact]
    public async Task Pass_ForcePushToOlderHistory_Followed()
    {
        var first = _git.Commit("first", ("hosts/web1/web.yaml", Isle("web")));
        ApplySource(_git.Url);
        await PassAsync();
        _git.Commit("second", ("hosts/web1/web.yaml", Isle("web", "httpd")));
        await PassAsync();
        Assert.Equal(["/bin/httpd"], Command(Web));

        GitRemote.Git(_git.Work, "reset", "--quiet", "--hard", first);
        _git.Push();
        await PassAsync();

        Assert.Equal(["/bin/sleep"], Command(Web));
        Assert.Equal($"main@sha1:{first}", Status.AppliedRevision);
    }

    [Fact]
    public async Task Pass_BranchDeleted_FetchFailsNothingPruned()
    {
        _git.Commit("first", ("hosts/web1/web.yaml", Isle("web")));
        ApplySource(_git.Url);
        await PassAsync();

        GitRemote.Git(_git.Bare, "update-ref", "-d", "refs/heads/main");
        await PassAsync();

        Assert.Equal(["/bin/sleep"], Command(Web));
        Assert.False(Status.Ready);
        Assert.Equal(SourceReasons.FetchFailed, Status.Reason);
        Assert.Contains("couldn't find remote ref", Status.Message);
        Assert.Contains("stays applied, nothing is pruned", Status.Message);
    }

    [Fact]
    public async Task Pass_RemoteUnreachable_FetchFailsNothingPruned()
    {
        _git.Commit("first", ("hosts/web1/web.yaml", Isle("web")));
        ApplySource(_git.Url);
        await PassAsync();

        Directory.Move(_git.Bare, _git.Bare + ".gone");
        try
        {
            await PassAsync();
        }
        finally
        {
            Directory.Move(_git.Bare + ".gone", _git.Bare);
        }

        Assert.Equal(["/bin/sleep"], Command(Web));
        Assert.Equal(DesiredOwner.Source("apps"), _h.Desired.Get(Web)!.Owner);
        Assert.Equal(SourceReasons.FetchFailed, Status.Reason);

        await PassAsync();
        Assert.True(Status.Ready);
    }

    [Fact]
    public async Task Pass_PathMissing_NothingAppliedOrPruned()
    {
        _git.Commit("first", ("hosts/web1/web.yaml", Isle("web")));
        ApplySource(_git.Url);
        await PassAsync();

        _git.Commit("moved", ("hosts/web1/web.yaml", null), ("hosts/web2/web.yaml", Isle("web", "httpd")));
        await PassAsync();

        Assert.Equal(["/bin/sleep"], Command(Web));
        Assert.Equal(SourceReasons.PathNotFound, Status.Reason);
        Assert.Contains("path \"hosts/web1\" does not exist in main@", Status.Message);
    }

    [Fact]
    public async Task Pass_TagAndCommitRefs_Followed()
    {
        var first = _git.Commit("first", ("hosts/web1/web.yaml", Isle("web")));
        GitRemote.Git(_git.Work, "tag", "v1");
        GitRemote.Git(_git.Work, "push", "--quiet", "origin", "v1");
        _git.Commit("second", ("hosts/web1/web.yaml", Isle("web", "httpd")));

        ApplySource(_git.Url, refLine: "ref: {tag: v1}");
        await PassAsync();
        Assert.Equal(["/bin/sleep"], Command(Web));
        Assert.Equal($"v1@sha1:{first}", Status.AppliedRevision);

        ApplySource(_git.Url, refLine: $"ref: {{commit: {first}}}");
        await PassAsync();
        Assert.Equal($"{first}@sha1:{first}", Status.AppliedRevision);
    }

    [Fact]
    public async Task Pass_ManifestLinkedOutsideRepository_RevisionRefused()
    {
        _git.Commit("first", ("hosts/web1/web.yaml", Isle("web")));
        ApplySource(_git.Url);
        await PassAsync();

        File.CreateSymbolicLink(Path.Combine(_git.Work, "hosts/web1/shadow.yaml"), "/etc/shadow");
        _git.Commit("link");
        await PassAsync();

        Assert.Equal(SourceReasons.InvalidRevision, Status.Reason);
        Assert.Contains("hosts/web1/shadow.yaml:1:1", Status.Message);
        Assert.Contains("outside the tree", Status.Message);
        Assert.NotNull(_h.Desired.Get(Web));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SourceDeleted_ObjectsPrunedOrReleased(bool prune)
    {
        _git.Commit("first", ("hosts/web1/web.yaml", Isle("web")));
        ApplySource(_git.Url, extra: $"  prune: {(prune ? "true" : "false")}");
        await PassAsync();
        var dir = Path.Combine(_h.Dir, "sources", "apps");
        Assert.True(Directory.Exists(dir));

        _h.Desired.Delete(SourceReconciler.Key("apps"));
        await PassAsync(fetchNow: false);

        if (prune) Assert.Null(_h.Desired.Get(Web));
        else Assert.True(_h.Desired.Get(Web)!.Released);
        Assert.Null(_h.Store.GetSource("apps"));
        Assert.False(Directory.Exists(dir));
    }
}
