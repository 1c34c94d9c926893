using Islander.Controller.Ports;
using Islander.Drivers.Images;
using Islander.Model;

namespace Islander.Controller.Volumes;

/// <summary>
/// <see cref="IIsleRuntime"/> with named volumes: before a start, each named volume is found or made and its host path
/// kept for the runtime (<see cref="IsleVolumes.Prepare"/>; the real runtime reads them through
/// <see cref="Runtime.IsleRuntimeAdapter.VolumePaths"/> into NamedVolumePaths); after a delete the isle no longer uses
/// them. The lifecycle and the reconciler stay unaware of where volumes live.
/// </summary>
public sealed class VolumedIsleRuntime(IIsleRuntime inner, IsleVolumes volumes) : IIsleRuntime
{
    public async Task<IsleHandle> StartAsync(string name, IsleSpec spec, ResolvedImage? image, CancellationToken cancellationToken)
    {
        using var starting = volumes.Prepare(name, spec);
        return await inner.StartAsync(name, spec, image, cancellationToken);
    }

    public IsleObservation Probe(string name) => inner.Probe(name);

    public Task<IsleExit?> WaitForExitAsync(string name, CancellationToken cancellationToken) => inner.WaitForExitAsync(name, cancellationToken);

    public Task StopAsync(string name, int signal, TimeSpan timeout, CancellationToken cancellationToken) =>
        inner.StopAsync(name, signal, timeout, cancellationToken);

    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await inner.DeleteAsync(name, cancellationToken);
        volumes.Deleted(name);
    }
}
