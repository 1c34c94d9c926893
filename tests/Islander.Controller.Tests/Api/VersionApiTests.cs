using Islander.Cli.Commands;
using Islander.Controller.Hosting;

namespace Islander.Controller.Tests.Api;

/// <summary><c>islanderctl version</c> over <c>GET /version</c>, against a real host on a unix socket.</summary>
public sealed class VersionApiTests : IAsyncDisposable
{
    readonly DaemonFixture _daemon = new();

    [Fact]
    public async Task Version_DaemonUp_ClientAndDaemonVersions()
    {
        await _daemon.StartAsync();

        var (exit, output, error) = await _daemon.CtlAsync("version");

        Assert.Equal(0, exit);
        Assert.Equal("", error);
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal($"Client: {VersionCommand.Client}", lines[0]);
        Assert.StartsWith($"Daemon: {DaemonVersion.Current} (API islander.io/v1, .NET ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("0.9.0+", DaemonVersion.Current, StringComparison.Ordinal); // Directory.Build.props' Version and the commit
    }

    [Fact]
    public async Task Version_NoDaemon_ClientVersionThenTheError()
    {
        var (exit, output, error) = await _daemon.CtlAsync("version");

        Assert.NotEqual(0, exit);
        Assert.Equal($"Client: {VersionCommand.Client}\n", output);
        Assert.Contains("islanderd", error, StringComparison.Ordinal);
    }

    public ValueTask DisposeAsync() => _daemon.DisposeAsync();
}
