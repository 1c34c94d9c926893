using System.Text.Json.Nodes;
using Islander.Cli.Api;
using Islander.Model.Api;

namespace Islander.Controller.Tests.Api;

/// <summary>
/// Selections against islanderd over the fake runtime: <c>?labelSelector=</c> on the lists, stats and events and the
/// watch (<c>?watch=true</c>) through the API; <c>-l</c>, <c>get all</c> and <c>delete --all</c> as islanderctl runs them.
/// </summary>
public sealed class SelectionApiTests : IAsyncLifetime
{
    readonly DaemonFixture _d = new();

    public async ValueTask InitializeAsync() => await _d.StartAsync();

    public async ValueTask DisposeAsync() => await _d.DisposeAsync();

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static string Isle(string name, string labels) => $"""
        apiVersion: islander.io/v1
        kind: Isle
        metadata:
          name: {name}
          labels: {labels}
        spec:
          rootfs: /srv/rootfs/busybox
          command: ["/bin/sleep"]
        """;

    async Task ApplyAsync(string name, string labels)
    {
        var (exit, _, error) = await _d.CtlAsync("apply", "-f", _d.WriteTemp(name + ".yaml", Isle(name, labels)));
        Assert.True(exit == 0, error);
    }

    /// <summary>Waits until each isle is Running (one from a manifest file appears once the directory watcher reads it).</summary>
    async Task RunningAsync(params string[] names)
    {
        using var client = new IslanderClient(_d.Socket);
        foreach (var name in names)
            await _d.WaitAsync(() => client.FindAsync("isles", name, default).GetAwaiter().GetResult()?.Status.Phase == "Running",
                TimeSpan.FromSeconds(5), $"{name} Running");
    }

    async Task ThreeIslesAsync()
    {
        await ApplyAsync("web", "{app: web, tier: front}");
        await ApplyAsync("db", "{app: db, tier: back}");
        await ApplyAsync("plain", "{}");
        await RunningAsync("web", "db", "plain");
    }

    [Fact]
    public async Task List_LabelSelector_OnlyTheSelected()
    {
        await ThreeIslesAsync();
        using var client = new IslanderClient(_d.Socket);

        async Task<string[]> Names(string? selector) => [.. (await client.ListAsync("isles", selector, Ct)).Select(o => o.Metadata.Name)];

        Assert.Equal(["web"], await Names("app=web"));
        Assert.Equal(["db", "plain"], await Names("app!=web"));
        Assert.Equal(["db", "web"], await Names("tier"));
        Assert.Equal(["plain"], await Names("!tier"));
        Assert.Equal(["db", "web"], await Names("app in (web,db)"));
        Assert.Equal(["db", "plain", "web"], await Names(null));
        var (exit, output, _) = await _d.CtlAsync("get", "isles", "-l", "app=web,tier=front");
        Assert.Equal(0, exit);
        Assert.Contains("\nweb ", output);
        Assert.DoesNotContain("db", output);
    }

    [Fact]
    public async Task List_BadSelector_400SaysWhereAndHow_CliRefusesBeforeAsking()
    {
        using var client = new IslanderClient(_d.Socket);

        var e = await Assert.ThrowsAsync<ClientException>(() => client.ListAsync("isles", "app=we b", Ct));
        Assert.Equal("BadRequest", e.Reason);
        Assert.StartsWith("label selector \"app=we b\": at character 8: unexpected \"b\" after app=we", e.Message);
        foreach (var refused in new Func<Task>[]
        {
            () => client.EventsAsync(Ct, "a b"),
            () => client.StatsRawAsync(null, Ct, "a b"),
            async () => { await foreach (var _ in client.WatchAsync("volumes", "a b", null, Ct)) { } },
            async () => { await foreach (var _ in client.WatchEventsAsync(Ct, "a b")) { } },
        })
            Assert.Equal("BadRequest", (await Assert.ThrowsAsync<ClientException>(refused)).Reason);
        var (exit, output, error) = await _d.CtlAsync("get", "isles", "-l", "app in (web");
        Assert.Equal(1, exit);
        Assert.DoesNotContain("NAME", output); // a usage error: the help, no table
        Assert.Contains("-l: label selector \"app in (web\": at character 12: the set after \"in\" needs a closing \")\"; write key=value", error);
        Assert.Equal(1, (await _d.CtlAsync("delete", "isles", "-l", "=x")).Exit);
        Assert.Equal(1, (await _d.CtlAsync("events", "-l", "a,,b")).Exit);
        Assert.Equal(1, (await _d.CtlAsync("stats", "-l", "a b", "--no-stream")).Exit);
    }

    [Fact]
    public async Task Stats_LabelSelector_OnlyTheSelectedIsles()
    {
        await ThreeIslesAsync();
        using var client = new IslanderClient(_d.Socket);

        var list = JsonNode.Parse(await client.StatsRawAsync(null, Ct, "tier=back"))!["items"]!.AsArray();

        Assert.Equal(["db"], list.Select(i => (string)i!["metadata"]!["name"]!));
    }

    [Fact]
    public async Task Events_LabelSelector_OnlyTheSelectedObjects()
    {
        await ThreeIslesAsync();
        using var client = new IslanderClient(_d.Socket);

        var events = await client.EventsAsync(Ct, "app=db");

        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.Equal("db", e.Name));
        var (exit, output, _) = await _d.CtlAsync("events", "-l", "app=db");
        Assert.Equal(0, exit);
        Assert.Contains("isle/db", output);
        Assert.DoesNotContain("isle/web", output);
    }

    [Fact]
    public async Task Watch_ListBookmarkThenEachChange_LabelChangesMoveObjectsInAndOut()
    {
        await ApplyAsync("web", "{app: web}");
        await RunningAsync("web");
        using var client = new IslanderClient(_d.Socket);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(20));
        await using var watch = client.WatchAsync("isles", "app=web", null, cts.Token).GetAsyncEnumerator(cts.Token);

        async Task<WatchEventView> NextAsync()
        {
            Assert.True(await watch.MoveNextAsync());
            return watch.Current;
        }

        var first = await NextAsync();
        Assert.Equal((WatchEventView.Added, "web", "Running"), (first.Type, first.Object!.Metadata.Name, first.Object.Status.Phase));
        Assert.Equal(WatchEventView.Bookmark, (await NextAsync()).Type);

        await ApplyAsync("other", "{app: other}"); // not selected: never shows
        await ApplyAsync("api", "{app: web}");
        var e = await NextAsync();
        Assert.Equal((WatchEventView.Added, "api"), (e.Type, e.Object!.Metadata.Name));
        // The view is read when it is sent: on a loaded machine api may be Running already in its Added event, and
        // then no Modified follows (a view is sent only when it differs from the last one).
        while (e.Object!.Status.Phase != "Running")
        {
            e = await NextAsync();
            Assert.Equal((WatchEventView.Modified, "api"), (e.Type, e.Object!.Metadata.Name));
        }

        await ApplyAsync("web", "{app: old}"); // a label edit takes web out of the selection
        e = await NextAsync();
        Assert.Equal((WatchEventView.Deleted, "web"), (e.Type, e.Object!.Metadata.Name));

        Assert.Equal(0, (await _d.CtlAsync("delete", "isle", "api")).Exit);
        do e = await NextAsync();
        while (e.Type == WatchEventView.Modified);
        Assert.Equal((WatchEventView.Deleted, "api"), (e.Type, e.Object!.Metadata.Name));
    }

    /// <summary>
    /// An isle that ends and is deleted at once (islanderctl run --rm deletes when the log ends): its DELETED line
    /// carries the isle's last state, with the exit code, as Kubernetes' DELETED carries the object's last state, whether
    /// or not the watch sent the exit's own view first (when it did not: StateStoreDeletedIslesTests).
    /// </summary>
    [Fact]
    public async Task Watch_IsleEndsAndIsDeletedAtOnce_DeletedCarriesItsExit()
    {
        var (exit, _, error) = await _d.CtlAsync("apply", "-f", _d.WriteTemp("job.yaml", Isle("job", "{}").Replace("command: [\"/bin/sleep\"]", "command: [\"/bin/sleep\"]\n  restartPolicy: Never", StringComparison.Ordinal)));
        Assert.True(exit == 0, error);
        await RunningAsync("job");
        using var client = new IslanderClient(_d.Socket);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(20));
        await using var watch = client.WatchAsync("isles", null, "job", cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await watch.MoveNextAsync()); // ADDED, Running
        Assert.True(await watch.MoveNextAsync()); // BOOKMARK

        _d.Runtime.Exit("job", 3);
        Assert.Equal(0, (await _d.CtlAsync("delete", "isle", "job")).Exit);

        do Assert.True(await watch.MoveNextAsync());
        while (watch.Current.Type == WatchEventView.Modified);
        var deleted = watch.Current;
        Assert.Equal((WatchEventView.Deleted, "Failed", 3), (deleted.Type, deleted.Object!.Status.Phase, deleted.Object.Status.ExitCode));
    }

    [Fact]
    public async Task DeleteSelector_MixWithAFileIsle_DeletesTheApiOnesAndNamesTheRefusedFile()
    {
        await ApplyAsync("web", "{app: web}");
        await ApplyAsync("db", "{app: db}");
        _d.Write("site.yaml", Isle("site", "{app: web}"));
        await RunningAsync("web", "db", "site");

        var (exit, output, error) = await _d.CtlAsync("delete", "isles", "-l", "app=web");

        Assert.Equal(1, exit);
        Assert.Equal("isle/web deleted\n", output);
        Assert.Contains("error: Isle/site comes from " + Path.Combine(_d.Options.Manifests, "site.yaml"), error);
        Assert.Contains("error: 1 of 2 not deleted", error);
        using var client = new IslanderClient(_d.Socket);
        Assert.NotNull(await client.FindAsync("isles", "site", Ct));
        Assert.NotNull(await client.FindAsync("isles", "db", Ct));
    }

    [Fact]
    public async Task DeleteAll_EveryApiIsle_NothingLeftThenNoneFound()
    {
        await ThreeIslesAsync();

        var (exit, output, error) = await _d.CtlAsync("delete", "isles", "--all");

        Assert.True(exit == 0, error);
        Assert.Equal("isle/db deleted\nisle/plain deleted\nisle/web deleted\n", output);
        using var client = new IslanderClient(_d.Socket);
        await _d.WaitAsync(() => client.ListAsync("isles", null, default).GetAwaiter().GetResult().Count == 0, TimeSpan.FromSeconds(5), "no isles");
        Assert.Equal((0, "", "No isles found.\n"), await _d.CtlAsync("delete", "isles", "--all"));
        Assert.Equal(1, (await _d.CtlAsync("delete", "isles", "--all", "-l", "a=b")).Exit);
        Assert.Equal(1, (await _d.CtlAsync("delete", "--all")).Exit);
    }

    [Fact]
    public async Task GetAll_IslesNetworksVolumes_EachKindItsTable()
    {
        await ApplyAsync("web", "{app: web}");
        var (applied, _, applyError) = await _d.CtlAsync("apply", "-f", _d.WriteTemp("net.yaml", """
            apiVersion: islander.io/v1
            kind: Network
            metadata: {name: backend, labels: {app: web}}
            spec: {subnet: 10.88.0.0/24}
            """));
        Assert.True(applied == 0, applyError);
        await RunningAsync("web");

        var (exit, output, error) = await _d.CtlAsync("get", "all");

        Assert.True(exit == 0, error);
        Assert.StartsWith("NAME       PHASE", output);
        Assert.Contains("\nisle/web ", output);
        Assert.Contains("\n\nNAME", output);
        Assert.Contains("\nnetwork/backend ", output);
        var json = JsonNode.Parse((await _d.CtlAsync("get", "all", "-o", "json")).Out)!;
        Assert.Equal("List", (string?)json["kind"]);
        Assert.Equal(["Isle/web", "Network/backend"], json["items"]!.AsArray().Select(i => $"{i!["kind"]}/{i["metadata"]!["name"]}"));
        Assert.Equal((0, "", "No resources found.\n"), await _d.CtlAsync("get", "all", "-l", "app=none"));
    }
}
