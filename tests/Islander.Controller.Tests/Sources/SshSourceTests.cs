using Islander.Controller.Desired;
using Islander.Controller.Sources;
using Islander.Model;
using Islander.Testing;

namespace Islander.Controller.Tests.Sources;

/// <summary>
/// A source fetched over ssh:// from a real OpenSSH server (<see cref="SshServer"/>, git-upload-pack in the session)
/// with <c>sshKeyFile</c> and <c>knownHostsFile</c>: the key authorized by the server fetches and applies; a key it
/// does not know fails with Ready=False and the server's words, and prunes nothing; a host key the source was not told
/// of is refused every time (no trust on first use), as is a different key for the host, until knownHostsFile lists it.
/// </summary>
public sealed class SshSourceTests : IDisposable
{
    // The server first: when it cannot start (sshd missing), nothing else has been made that Dispose would have removed.
    readonly SshServer _ssh = new();
    readonly ControllerHarness _h = new();
    readonly GitRemote _git = new();
    static readonly ObjectKey Web = ObjectKey.Isle("web"), Db = ObjectKey.Isle("db");

    public void Dispose()
    {
        _h.Dispose();
        _ssh.Dispose();
        _git.Dispose();
    }

    string Url => _ssh.Url(_git.Bare);

    void ApplySource(string? key, string? knownHosts)
    {
        var lines = string.Concat(
            key is null ? "" : $"\n    sshKeyFile: {key}",
            knownHosts is null ? "" : $"\n    knownHostsFile: {knownHosts}");
        var yaml = $"""
            apiVersion: islander.io/v1
            kind: Source
            metadata: {"{name: apps}"}
            spec:
              git:
                url: {Url}
                path: hosts/web1
                ref: main{lines}
            """;
        var parsed = new ModelManifestParser().Parse("apps.yaml", yaml);
        Assert.Empty(parsed.Diagnostics);
        _h.Desired.Apply(Assert.Single(parsed.Objects));
    }

    Task PassAsync()
    {
        _h.Get<SourceFetches>().Request("apps");
        return _h.Get<SourceReconciler>().ReconcileAsync("apps", TestContext.Current.CancellationToken);
    }

    State.SourceRecord Status => _h.Store.GetSource("apps") ?? throw new Xunit.Sdk.XunitException("no source record");

    string Why => $"status: {Status.Reason}: {Status.Message}\n--- sshd:\n{_ssh.Log}";

    IReadOnlyList<string> Command(ObjectKey key) => _h.Desired.Get(key)?.Object?.Isle?.Command ?? [];

    [Fact]
    public async Task Ssh_AuthorizedKeyAndKnownHost_FetchesAndApplies()
    {
        var first = _git.Commit("first", ("hosts/web1/web.yaml", ControllerHarness.IsleYaml("web")), ("hosts/web1/db.yaml", ControllerHarness.IsleYaml("db")));
        ApplySource(_ssh.ClientKey, _ssh.KnownHosts);

        await PassAsync();

        Assert.True(Status.Ready, Why);
        Assert.Equal($"main@sha1:{first}", Status.AppliedRevision);
        Assert.Equal(DesiredOwner.Source("apps"), _h.Desired.Get(Web)!.Owner);
        Assert.NotNull(_h.Desired.Get(Db));
        // Over ssh for real: the server let the client's key in.
        Assert.Contains("Accepted publickey for " + _ssh.User, _ssh.Log, StringComparison.Ordinal);

        var second = _git.Commit("second", ("hosts/web1/web.yaml", ControllerHarness.IsleYaml("web", "httpd")), ("hosts/web1/db.yaml", null));
        await PassAsync();

        Assert.True(Status.Ready, Why);
        Assert.Equal($"main@sha1:{second}", Status.AppliedRevision);
        Assert.Equal(["/bin/httpd"], Command(Web));
        Assert.Null(_h.Desired.Get(Db));
    }

    [Fact]
    public async Task Ssh_KeyTheServerDoesNotKnow_ReadyFalseNothingPruned()
    {
        var first = _git.Commit("first", ("hosts/web1/web.yaml", ControllerHarness.IsleYaml("web")), ("hosts/web1/db.yaml", ControllerHarness.IsleYaml("db")));
        ApplySource(_ssh.ClientKey, _ssh.KnownHosts);
        await PassAsync();
        Assert.True(Status.Ready, Why);

        // The next revision would prune db and change web, had it been fetched.
        _git.Commit("second", ("hosts/web1/web.yaml", ControllerHarness.IsleYaml("web", "httpd")), ("hosts/web1/db.yaml", null));
        ApplySource(_ssh.OtherKey, _ssh.KnownHosts);
        await PassAsync();

        Assert.False(Status.Ready, Why);
        Assert.Equal(SourceReasons.FetchFailed, Status.Reason);
        Assert.Contains("Permission denied (publickey)", Status.Message, StringComparison.Ordinal);
        Assert.Contains($"revision main@sha1:{first} stays applied, nothing is pruned", Status.Message, StringComparison.Ordinal);
        Assert.Equal($"main@sha1:{first}", Status.AppliedRevision);
        Assert.Equal(["/bin/sleep"], Command(Web));
        Assert.Equal(DesiredOwner.Source("apps"), _h.Desired.Get(Db)!.Owner);
        Assert.Contains(_h.Store.Events(), e => e.Name == "apps" && e.Reason == SourceReasons.FetchFailed);
    }

    [Fact]
    public async Task Ssh_UnknownHostKey_RefusedEveryTimeUntilKnownHostsListsIt()
    {
        var commit = _git.Commit("first", ("hosts/web1/web.yaml", ControllerHarness.IsleYaml("web")));

        // Neither file: ssh gets no prompt to answer (BatchMode), the host is refused before any key is offered.
        ApplySource(key: null, knownHosts: null);
        await PassAsync();
        Assert.False(Status.Ready, Why);
        Assert.Contains("Host key verification failed", Status.Message, StringComparison.Ordinal);

        // The key alone: the host is in no known_hosts, so it is refused, and still refused at the next fetch (a
        // client that trusted it on first use would have remembered it and gone on the second time).
        ApplySource(_ssh.ClientKey, knownHosts: null);
        for (int attempt = 0; attempt < 2; attempt++)
        {
            await PassAsync();
            Assert.False(Status.Ready, Why);
            Assert.Equal(SourceReasons.FetchFailed, Status.Reason);
            Assert.Contains($"host key is known for [127.0.0.1]:{_ssh.Port}", Status.Message, StringComparison.Ordinal);
            Assert.Contains("Host key verification failed", Status.Message, StringComparison.Ordinal);
            Assert.Contains("nothing is applied until a fetch succeeds", Status.Message, StringComparison.Ordinal);
        }
        Assert.Null(_h.Desired.Get(Web));

        // A known_hosts that lists another key for the host: an impostor, refused.
        var wrong = File.ReadAllText(_ssh.WrongKnownHosts);
        ApplySource(_ssh.ClientKey, _ssh.WrongKnownHosts);
        await PassAsync();
        Assert.False(Status.Ready, Why);
        Assert.Contains($"Host key for [127.0.0.1]:{_ssh.Port} has changed", Status.Message, StringComparison.Ordinal);
        Assert.Contains("Host key verification failed", Status.Message, StringComparison.Ordinal);
        Assert.Equal(wrong, File.ReadAllText(_ssh.WrongKnownHosts));
        Assert.Null(_h.Desired.Get(Web));
        Assert.DoesNotContain("Accepted publickey", _ssh.Log, StringComparison.Ordinal);

        // Listed: fetched and applied.
        ApplySource(_ssh.ClientKey, _ssh.KnownHosts);
        await PassAsync();
        Assert.True(Status.Ready, Why);
        Assert.Equal($"main@sha1:{commit}", Status.AppliedRevision);
        Assert.Equal(DesiredOwner.Source("apps"), _h.Desired.Get(Web)!.Owner);
    }
}
