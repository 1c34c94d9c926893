using Islander.Controller.Ports;
using Islander.Drivers.Network;
using Microsoft.Extensions.DependencyInjection;

namespace Islander.Controller.Networks;

public static class NetworkingServices
{
    /// <summary>
    /// Wires networks into the daemon: the <see cref="IIsleRuntime"/> registered so far is wrapped in a
    /// <see cref="NetworkedIsleRuntime"/>, and the reconcile loop gets a <see cref="NetworkReconciler"/>.
    /// Call after registering the runtime.
    /// </summary>
    public static IServiceCollection AddIsleNetworking(this IServiceCollection services, INetworkDriver driver)
    {
        var inner = services.LastOrDefault(d => d.ServiceType == typeof(IIsleRuntime))
            ?? throw new InvalidOperationException("register an IIsleRuntime before AddIsleNetworking");
        services.Remove(inner);
        services.AddSingleton(driver);
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<IsleNetworking>(sp, Resolve(inner, sp), driver));
        services.AddSingleton<IIsleRuntime>(sp => new NetworkedIsleRuntime(ResolveInner(sp), sp.GetRequiredService<IsleNetworking>()));
        services.AddSingleton<NetworkReconciler>();
        return services;

        IIsleRuntime ResolveInner(IServiceProvider sp) => sp.GetRequiredService<IsleNetworking>().Runtime;
    }

    static IIsleRuntime Resolve(ServiceDescriptor d, IServiceProvider sp) => (IIsleRuntime)(
        d.ImplementationInstance ?? d.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, d.ImplementationType!));
}
