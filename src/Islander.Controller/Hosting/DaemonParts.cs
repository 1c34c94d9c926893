using Islander.Controller.Desired;
using Islander.Controller.Ports;
using Islander.Drivers.Images;
using Islander.Drivers.Network;
using Islander.Drivers.Volumes;

namespace Islander.Controller.Hosting;

/// <summary>
/// The parts the controller is composed from, chosen by the caller: Program.cs passes the real ones, tests fakes
/// (<c>FakeIsleRuntime</c>, <c>FakeNetworkDriver</c>, fake volume drivers, <c>FakeImageStore</c>, <c>FakeTimeProvider</c>).
/// Every part is always there: a daemon or test with no interest in networks still has the network drivers.
/// </summary>
public sealed record DaemonParts(
    IIsleRuntime Runtime, IIsleLogs Logs, IIsleExec Exec, IIsleStats Stats,
    NetworkDriverSet Networks, VolumeDriverSet Volumes, IImageStore Images, TimeProvider Time, IManifestParser Parser)
{
    /// <summary>Sockets in isles' network namespaces, for tcp and http health checks; null: those checks fail, saying so.</summary>
    public IIsleSockets? Sockets { get; init; }
    /// <summary>Files in and out of isles (<c>cp</c>); null where the runtime has none (the archive endpoints answer 501).</summary>
    public IIsleFiles? Files { get; init; }

    /// <summary>One object that is all four runtime ports (the real adapter, the fake runtime).</summary>
    public static DaemonParts Of<TRuntime>(TRuntime runtime, NetworkDriverSet networks, VolumeDriverSet volumes, IImageStore images,
        TimeProvider? time = null, IManifestParser? parser = null)
        where TRuntime : IIsleRuntime, IIsleLogs, IIsleExec, IIsleStats =>
        new(runtime, runtime, runtime, runtime, networks, volumes, images, time ?? TimeProvider.System, parser ?? new ModelManifestParser())
        {
            Sockets = runtime as IIsleSockets,
            Files = runtime as IIsleFiles,
        };
}
