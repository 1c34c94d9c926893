using Islander.Controller.State;
using Islander.Controller.Tests.Api;
using Microsoft.Extensions.DependencyInjection;

namespace Islander.Controller.Tests.Cli;

/// <summary>`islanderctl get` against a real islanderd over the fake runtime.</summary>
public sealed class GetCommandTests : IAsyncDisposable
{
    readonly DaemonFixture _d = new();

    public ValueTask DisposeAsync() => _d.DisposeAsync();

    [Theory]
    [InlineData("table")]
    [InlineData("wide")]
    public async Task GetNetworks_SpecWithoutGateway_ShowsTheGatewayTheDaemonChose(string format)
    {
        _d.Write("net.yaml", "apiVersion: islander.io/v1\nkind: Network\nmetadata: {name: demo}\nspec: {subnet: 10.231.0.0/24}\n");
        await _d.StartAsync();
        // The network pass makes the bridge (the fake driver here) and records the gateway it chose.
        var store = _d.App!.Services.GetRequiredService<StateStore>();
        await _d.WaitAsync(() => store.GetNetwork("demo") is { Ready: true }, TimeSpan.FromSeconds(30), "network demo to be ready");

        var (exit, output, _) = await _d.CtlAsync("get", "networks", "-o", format);
        var describe = await _d.CtlAsync("describe", "network", "demo");

        Assert.Equal(0, exit);
        Assert.Matches(@"demo\s+Ready\s+bridge\s+10\.231\.0\.0/24\s+10\.231\.0\.1\s", output);
        Assert.Contains("Gateway:      10.231.0.1", describe.Out);
    }
}
