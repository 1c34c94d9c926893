using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.Health;
using Islander.Controller.Images;
using Islander.Controller.Metrics;
using Islander.Controller.Networks;
using Islander.Controller.Ports;
using Islander.Controller.Reconcile;
using Islander.Controller.Rollout;
using Islander.Controller.Sources;
using Islander.Controller.State;
using Islander.Controller.Volumes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Islander.Controller.Hosting;

public static class ControllerServices
{
    /// <summary>
    /// Composes the controller from <paramref name="parts"/>: state and desired stores, the queue, one reconciler per
    /// kind (isles, networks, volumes, sources) and the loop that runs them, the isles' planner (networks, volumes) and the
    /// manifest source. The one place the daemon is wired: islanderd (<see cref="DaemonHost"/>) and the tests call it.
    /// The caller adds logging.
    /// </summary>
    public static IServiceCollection AddIslanderController(this IServiceCollection services, DaemonOptions options, DaemonParts parts)
    {
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(parts.Runtime);
        services.AddSingleton(parts.Logs);
        services.AddSingleton(parts.Exec);
        if (parts.Runtime is IIsleAttach attach) // the real runtime's: the fake has no shim to attach to
            services.AddSingleton(attach);
        services.AddSingleton(parts.Stats);
        if (parts.Files is { } files) services.AddSingleton(files);
        services.AddSingleton(parts.Networks);
        services.AddSingleton(parts.Volumes);
        services.AddSingleton(parts.Images);
        services.AddSingleton(parts.Time);
        services.AddSingleton(parts.Parser);

        services.AddSingleton(sp => new StateStore(StateStore.FileIn(options.State), sp.GetRequiredService<ILogger<StateStore>>()));
        services.AddSingleton<EventRecorder>();
        services.AddSingleton<ReconcileQueue>();
        services.AddSingleton(sp =>
        {
            var desired = new DesiredStore(sp.GetRequiredService<StateStore>(), sp.GetRequiredService<TimeProvider>());
            desired.Changed += sp.GetRequiredService<ReconcileQueue>().Add;
            return desired;
        });
        services.AddSingleton(sp =>
        {
            var images = new IsleImages(parts.Images, sp.GetRequiredService<StateStore>(),
                sp.GetRequiredService<DesiredStore>(), sp.GetRequiredService<ILogger<IsleImages>>(), sp.GetRequiredService<EventRecorder>());
            images.IsleAffected += sp.GetRequiredService<ReconcileQueue>().Add; // an image arrived: its isles get a pass
            return images;
        });

        // Networks: the pass, addresses, hosts files, firewall; volumes: the pass, the isles' claims, restores.
        services.AddSingleton<NetworkFirewall>();
        services.AddSingleton<NetworkReconciler>();
        services.AddSingleton<NetworkAddresses>();
        services.AddSingleton<HostsFiles>();
        services.AddSingleton<IsleNetworking>();
        services.AddSingleton<VolumeRestores>();
        services.AddSingleton<VolumeReconciler>();
        services.AddSingleton<IsleVolumes>();
        services.AddSingleton<VolumeSnapshots>();

        // Isles: what a pass drives, and the pass.
        services.AddSingleton<ConfigFileCopies>();
        services.AddSingleton<StartPlanner>();
        services.AddSingleton<IsleLifecycles>();
        services.AddSingleton<ExitWatcher>();
        services.AddSingleton(sp => new HealthProbes(parts.Exec, parts.Sockets, parts.Time));
        services.AddSingleton<HealthMonitor>();
        services.AddSingleton<IsleRollouts>();
        services.AddSingleton<StartupCheck>();
        services.AddSingleton<IsleReconciler>();
        services.AddSingleton<IsleVerbs>();

        services.AddSingleton<IReconciler>(sp => sp.GetRequiredService<IsleReconciler>());
        services.AddSingleton<IReconciler>(sp => sp.GetRequiredService<NetworkReconciler>());
        services.AddSingleton<IReconciler>(sp => sp.GetRequiredService<VolumeReconciler>());
        // Sources: git repositories fetched and applied as the owner source/NAME.
        services.AddSingleton<SourceFetches>();
        services.AddSingleton<SourceReconciler>();
        services.AddSingleton<IReconciler>(sp => sp.GetRequiredService<SourceReconciler>());
        services.AddSingleton<ReconcileMetrics>();
        services.AddSingleton<DaemonHealth>();
        services.AddSingleton<ReconcileLoop>();
        services.AddSingleton<ManifestDirectorySource>();
        services.AddHostedService(sp => sp.GetRequiredService<ManifestDirectorySource>());
        services.AddHostedService(sp => sp.GetRequiredService<ReconcileLoop>());
        // sd_notify(3) through Microsoft.Extensions.Hosting.Systemd; inert without $NOTIFY_SOCKET. DaemonHost adds its
        // SystemdLifetime (READY=1, STOPPING=1) when systemd runs islanderd.
        services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
        services.AddHostedService<SystemdWatchdog>();
        // One full, compacting collection when the API goes quiet after a load (IdleMemoryTrim); DaemonHost adds its middleware.
        services.AddSingleton<IdleMemoryTrim>();
        services.AddHostedService(sp => sp.GetRequiredService<IdleMemoryTrim>());
        return services;
    }
}
