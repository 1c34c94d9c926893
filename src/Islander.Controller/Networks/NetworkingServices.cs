using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.Hosting;
using Islander.Controller.Ports;
using Islander.Controller.Reconcile;
using Islander.Controller.State;
using Islander.Drivers.Network;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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
        services.AddSingleton(sp => Build(Resolve(inner, sp), driver, sp));
        services.AddSingleton(sp => sp.GetRequiredService<Parts>().Networking);
        services.AddSingleton(sp => sp.GetRequiredService<Parts>().Reconciler);
        services.AddSingleton<IIsleRuntime>(sp => new NetworkedIsleRuntime(sp.GetRequiredService<IsleNetworking>().Runtime, sp.GetRequiredService<IsleNetworking>()));
        return services;
    }

    public sealed record Parts(IsleNetworking Networking, NetworkReconciler Reconciler);

    static Parts Build(IIsleRuntime runtime, INetworkDriver driver, IServiceProvider sp) => Create(runtime, driver,
        sp.GetRequiredService<DesiredStore>(), sp.GetRequiredService<StateStore>(), sp.GetRequiredService<EventRecorder>(),
        sp.GetRequiredService<ReconcileQueue>(), sp.GetRequiredService<IOptions<DaemonOptions>>(), sp.GetRequiredService<ILoggerFactory>());

    public static Parts Create(IIsleRuntime runtime, INetworkDriver driver, DesiredStore desired, StateStore store, EventRecorder events,
        ReconcileQueue queue, IOptions<DaemonOptions> options, ILoggerFactory logs)
    {
        var firewall = new NetworkFirewall(runtime, driver, desired, store);
        var reconciler = new NetworkReconciler(driver, desired, store, events, queue, firewall, logs.CreateLogger<NetworkReconciler>());
        var hosts = new HostsFiles(desired, store, options);
        var addresses = new NetworkAddresses(reconciler, driver, runtime, desired, store, events, queue, hosts, logs.CreateLogger<NetworkAddresses>());
        return new Parts(new IsleNetworking(runtime, driver, addresses, hosts, firewall), reconciler);
    }

    static IIsleRuntime Resolve(ServiceDescriptor d, IServiceProvider sp) => (IIsleRuntime)(
        d.ImplementationInstance ?? d.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, d.ImplementationType!));
}
