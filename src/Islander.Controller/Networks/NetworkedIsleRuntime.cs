using Islander.Drivers.Images;
using Islander.Controller.Ports;
using Islander.Controller.Runtime;
using Islander.Model;

namespace Islander.Controller.Networks;

/// <summary>
/// <see cref="IIsleRuntime"/> with networks: before a start, addresses and the hosts file (<see cref="IsleNetworking.Prepare"/>);
/// during it, the attach hook of the real runtime; after start, stop and delete, hosts files, firewall and IPAM
/// brought up to date. The lifecycle and the reconciler stay unaware of networks.
/// </summary>
public sealed class NetworkedIsleRuntime : IIsleRuntime
{
    readonly IIsleRuntime _inner;
    readonly IsleNetworking _networks;

    public NetworkedIsleRuntime(IIsleRuntime inner, IsleNetworking networks)
    {
        _inner = inner;
        _networks = networks;
        if (inner is IsleRuntimeAdapter adapter)
            adapter.Attach = networks.AttachAsync;
    }

    public async Task<IsleHandle> StartAsync(string name, IsleSpec spec, ResolvedImage? image, CancellationToken cancellationToken)
    {
        var prepared = _networks.Prepare(name, spec);
        var handle = await _inner.StartAsync(name, prepared, image, cancellationToken);
        _networks.Started(name);
        return handle;
    }

    public IsleObservation Probe(string name) => _inner.Probe(name);

    public Task<IsleExit?> WaitForExitAsync(string name, CancellationToken cancellationToken) => _inner.WaitForExitAsync(name, cancellationToken);

    public async Task StopAsync(string name, int signal, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _inner.StopAsync(name, signal, timeout, cancellationToken);
        _networks.Stopped(name);
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await _inner.DeleteAsync(name, cancellationToken);
        _networks.Deleted(name);
    }
}
