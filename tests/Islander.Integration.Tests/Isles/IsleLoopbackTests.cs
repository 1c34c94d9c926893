using Islander.Testing;

namespace Islander.Integration.Tests.Isles;

/// <summary>
/// Who brings a real isle's lo up: the runtime itself for an isle without networks; for an isle on a network, the
/// attach, which does it in the batch that configures the isle's end (BridgeNetworkDriverTests checks that batch).
/// </summary>
[Collection(IsleCollection.Name)]
public sealed class IsleLoopbackTests : IAsyncDisposable
{
    readonly FakeNetworkDriver _network = new();
    readonly IsleHarness _h;

    public IsleLoopbackTests() => _h = IsleHarness.WithNetworkDriver(_network);

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task Start_WithAnAttach_NoLoopbackRequestOfItsOwn_WithoutOne_LoBroughtUpOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        string name = "t-" + Guid.NewGuid().ToString("N")[..8];
        _h.Track(name);
        int attachedTo = 0;

        var process = await _h.Runtime.StartAsync(name, IsleHarness.Spec("true"), ct: ct,
            attach: (pid, _) => { attachedTo = pid; return ValueTask.CompletedTask; });

        Assert.Equal(process.InitPid, attachedTo);
        Assert.Equal(0, _network.LoopbackRequests);

        await _h.StartAsync(IsleHarness.Spec("true"));
        Assert.Equal(1, _network.LoopbackRequests);
    }
}
