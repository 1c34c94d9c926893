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

    /// <summary>
    /// A reader (GET isles, the reconciler) does not wait for a writer that waits for the disk: here the state store is
    /// busy with another commit (held by a batch, as the reconciler's fsync holds it), an apply waits for it inside
    /// the desired store, and List and Get still answer at once, with the entries as they were. Before, they waited
    /// in line behind the apply's lock: 100 clients doing GET isles took up to a second while 10 others applied.
    /// </summary>
    [Fact]
    public async Task Readers_ApplyWaitingForTheDisk_AnswerAtOnce()
    {
        _h.Desired.Apply(Isle("web"));
        using var committing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var commit = Task.Run(() => _h.Store.Batch(() =>
        {
            committing.Set();
            release.Wait(TimeSpan.FromSeconds(30));
        }), TestContext.Current.CancellationToken);
        try
        {
            Assert.True(committing.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
            var apply = Task.Run(() => _h.Desired.Apply(Isle("db")), TestContext.Current.CancellationToken);
            // The apply is stuck on the store's commit, holding the desired store's writer lock.
            await Task.Delay(300, TestContext.Current.CancellationToken);
            Assert.False(apply.IsCompleted);

            var read = Task.Run(() => (_h.Desired.List(ObjectKind.Isle), _h.Desired.Get(ObjectKey.Isle("web"))), TestContext.Current.CancellationToken);
            var done = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
            Assert.True(done == read, "List and Get waited for an apply that waits for the disk");
            var (list, web) = await read;
            Assert.Contains(list, e => e.Key == ObjectKey.Isle("web"));
            Assert.NotNull(web);

            release.Set();
            Assert.Equal(ApplyOutcome.Created, await apply);
        }
        finally
        {
            release.Set();
            await commit;
        }
    }
}
