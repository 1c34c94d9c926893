using Islander.Controller.Ports;
using Islander.Controller.Runtime;
using Islander.Drivers.Volumes;
using Microsoft.Extensions.DependencyInjection;

namespace Islander.Controller.Volumes;

public static class VolumeServices
{
    /// <summary>
    /// Wires named volumes into the daemon: the <see cref="IIsleRuntime"/> registered so far is wrapped in a
    /// <see cref="VolumedIsleRuntime"/>, the reconcile loop gets the volume pass (<see cref="IsleVolumes"/>) and the API
    /// <see cref="VolumeSnapshots"/>. <paramref name="adapter"/>, the real runtime, gets the volumes' host paths at each
    /// start. Call after registering the runtime (and after networking).
    /// </summary>
    public static IServiceCollection AddIsleVolumes(this IServiceCollection services, VolumeDriverSet drivers, IsleRuntimeAdapter? adapter = null)
    {
        var inner = services.LastOrDefault(d => d.ServiceType == typeof(IIsleRuntime))
            ?? throw new InvalidOperationException("register an IIsleRuntime before AddIsleVolumes");
        services.Remove(inner);
        services.AddSingleton(drivers);
        services.AddSingleton(sp =>
        {
            var volumes = ActivatorUtilities.CreateInstance<IsleVolumes>(sp, drivers);
            if (adapter is not null) adapter.VolumePaths = volumes.PathsOf;
            return volumes;
        });
        services.AddSingleton<IIsleRuntime>(sp => new VolumedIsleRuntime(Resolve(inner, sp), sp.GetRequiredService<IsleVolumes>()));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<VolumeSnapshots>(sp, sp.GetRequiredService<IIsleRuntime>()));
        return services;
    }

    static IIsleRuntime Resolve(ServiceDescriptor d, IServiceProvider sp) => (IIsleRuntime)(
        d.ImplementationInstance ?? d.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, d.ImplementationType!));
}
