using Islander.Cli.Api;
using Islander.Controller.Desired;
using Islander.Model;
using Islander.Model.Api;
using Microsoft.Extensions.DependencyInjection;

namespace Islander.Controller.Tests.Api;

/// <summary>
/// <c>islanderctl diff -f DIR</c> as a preview of the manifests directory or a source's tree: objects from files and
/// sources are diffed (they were an error before), prunes and releases show, the plan is the Model's, and nothing
/// the daemon runs or desires changes.
/// </summary>
public sealed class PreviewApiTests : IAsyncLifetime
{
    readonly DaemonFixture _d = new();

    public async ValueTask InitializeAsync() => await _d.StartAsync();

    public async ValueTask DisposeAsync() => await _d.DisposeAsync();

    static string Isle(string name, string command = "sleep", string? extra = null) => ControllerHarness.IsleYaml(name, command, extra: extra);

    async Task WaitRunningAsync(params string[] names) =>
        await _d.WaitAsync(() => names.All(_d.Runtime.IsRunning), TimeSpan.FromSeconds(30), $"{string.Join(", ", names)} running");

    /// <summary>A copy of the manifests directory, edited: what a user previews before putting it in place.</summary>
    string Tree(params (string File, string Yaml)[] files)
    {
        var dir = Path.Combine(_d.Dir, "preview-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        foreach (var (file, yaml) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir, file))!);
            File.WriteAllText(Path.Combine(dir, file), yaml);
        }
        return dir;
    }

    [Fact]
    public async Task Diff_EditedCopyOfManifestsDirectory_ChangesPrunesAndPlan_NothingApplied()
    {
        _d.Write("web.yaml", Isle("web"));
        _d.Write("db.yaml", Isle("db"));
        await WaitRunningAsync("web", "db");
        var generation = DesiredGeneration("web");
        var dir = Tree(("web.yaml", Isle("web", "httpd")), ("apps/api.yaml", Isle("api")), (".git/ignored.yaml", "not: a manifest"));

        var (exit, output, error) = await _d.CtlAsync("diff", "-f", dir);

        Assert.True(exit == 1, error);
        Assert.Contains($"+++ b/isle/web ({dir})", output);
        Assert.Contains("-- /bin/sleep\n+- /bin/httpd", output);
        Assert.Contains("--- a/isle/db (live)\n+++ /dev/null (pruned", output);
        Assert.Contains("--- /dev/null\n+++ b/isle/api", output);
        Assert.Contains("plan:\n", output);
        Assert.Contains("  - delete isle db\n", output);
        Assert.Contains("  + start isle api (New)\n", output);
        Assert.Contains("  ~ restart isle web with its new spec (spec changed)\n      ~ spec.command: [\"/bin/sleep\"] -> [\"/bin/httpd\"] (restart)\n", output);
        Assert.True(_d.Runtime.IsRunning("db"));
        Assert.False(_d.Runtime.IsRunning("api"));
        Assert.Equal(1, _d.Runtime.Incarnations("web"));
        Assert.Equal(generation, DesiredGeneration("web"));
        Assert.NotNull(Desired.Get(ObjectKey.Isle("db")));
    }

    [Fact]
    public async Task Diff_TheManifestsDirectoryItself_NoDifferences()
    {
        _d.Write("web.yaml", Isle("web"));
        await WaitRunningAsync("web");

        var (exit, output, error) = await _d.CtlAsync("diff", "-f", _d.Options.Manifests);

        Assert.True(exit == 0, error + output);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task Diff_OneFileOfTheDirectory_ThatObjectOnlyNothingPruned()
    {
        _d.Write("web.yaml", Isle("web"));
        _d.Write("db.yaml", Isle("db"));
        await WaitRunningAsync("web", "db");

        var (exit, output, error) = await _d.CtlAsync("diff", "-f", _d.WriteTemp("web.yaml", Isle("web", "httpd")));

        Assert.True(exit == 1, error);
        Assert.Contains("+- /bin/httpd", output);
        Assert.DoesNotContain("db", output);
    }

    [Fact]
    public async Task Diff_PruneDisabledAnnotation_ShownKeptNotDeleted()
    {
        _d.Write("web.yaml", Isle("web"));
        _d.Write("db.yaml", Isle("db").Replace("  name: db\n", "  name: db\n  annotations: {islander.io/prune: disabled}\n", StringComparison.Ordinal));
        await WaitRunningAsync("web", "db");

        var (exit, output, error) = await _d.CtlAsync("diff", "-f", Tree(("web.yaml", Isle("web"))));

        Assert.True(exit == 1, error);
        Assert.Contains("# isle/db: no manifest defines it any more; kept running", output);
        Assert.DoesNotContain("delete isle db", output);
    }

    [Fact]
    public async Task Diff_SourceTree_PreviewedAsTheSourcesObjects()
    {
        _d.Write("web.yaml", Isle("web"));
        var apps = DesiredOwner.Source("apps");
        var parser = _d.App!.Services.GetRequiredService<IManifestParser>();
        Desired.Replace(apps, [("repo/cache.yaml", parser.Parse("repo/cache.yaml", Isle("cache"))), ("repo/queue.yaml", parser.Parse("repo/queue.yaml", Isle("queue")))]);
        await WaitRunningAsync("web", "cache", "queue");
        var checkout = Tree(("cache.yaml", Isle("cache", "httpd")));

        var (inferred, output, error) = await _d.CtlAsync("diff", "-f", checkout);
        var (named, same, _) = await _d.CtlAsync("diff", "-f", checkout, "--source", "apps");
        var (asFiles, wrong, wrongError) = await _d.CtlAsync("diff", "-f", checkout, "--manifests");

        Assert.True(inferred == 1, error);
        Assert.Contains("+- /bin/httpd", output);
        Assert.Contains("--- a/isle/queue (live)\n+++ /dev/null (pruned", output);
        Assert.DoesNotContain("isle/web", output);
        Assert.Equal((1, output), (named, same));
        // As the manifests directory, the tree would prune web and could not take cache from the source: an error.
        Assert.Equal(2, asFiles);
        Assert.Contains("isle/cache:", wrongError);
        Assert.Contains("source/apps", wrongError);
        Assert.Equal("", wrong);
        Assert.Equal(1, _d.Runtime.Incarnations("cache"));
        Assert.True(_d.Runtime.IsRunning("queue"));
    }

    [Fact]
    public async Task Diff_ObjectsOfTwoOwners_AsksWhichTree()
    {
        _d.Write("web.yaml", Isle("web"));
        var parser = _d.App!.Services.GetRequiredService<IManifestParser>();
        Desired.Replace(DesiredOwner.Source("apps"), [("repo/cache.yaml", parser.Parse("repo/cache.yaml", Isle("cache")))]);
        await WaitRunningAsync("web", "cache");

        var (exit, output, error) = await _d.CtlAsync("diff", "-f", Tree(("web.yaml", Isle("web")), ("cache.yaml", Isle("cache"))));
        var (both, _, bothError) = await _d.CtlAsync("diff", "-f", _d.Options.Manifests, "--manifests", "--source", "apps");

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("files and source/apps", error);
        Assert.Contains("--manifests", error);
        Assert.Equal(2, both);
        Assert.Contains("give one of them", bothError);
    }

    [Fact]
    public async Task Diff_InvalidManifestInTree_ExitTwoWithFileLine()
    {
        _d.Write("web.yaml", Isle("web"));
        await WaitRunningAsync("web");
        var dir = Tree(("web.yaml", Isle("web").Replace("restartPolicy: Always", "restartPolicy: Sometimes", StringComparison.Ordinal)));

        var (exit, output, error) = await _d.CtlAsync("diff", "-f", dir);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains($"{dir}/web.yaml:", error);
        Assert.Contains("spec.restartPolicy", error);
        Assert.Equal(1, _d.Runtime.Incarnations("web"));
    }

    [Fact]
    public async Task Preview_RequestAsApi_IsAnApplyDryRun()
    {
        using var client = new IslanderClient(_d.Socket);

        var result = await client.PreviewAsync([("web.yaml", Isle("web"))], null, whole: false, TestContext.Current.CancellationToken);

        Assert.Equal("api", result.Owner);
        Assert.Equal("created", Assert.Single(result.Items).Outcome);
        Assert.Equal(["+ start isle web (New)"], result.Plan);
        Assert.Null(Desired.Get(ObjectKey.Isle("web")));
    }

    DesiredStore Desired => _d.App!.Services.GetRequiredService<DesiredStore>();

    long? DesiredGeneration(string isle) => Desired.Get(ObjectKey.Isle(isle))?.Generation;
}
