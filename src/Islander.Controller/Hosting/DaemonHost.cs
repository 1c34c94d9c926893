using Islander.Controller.Api;
using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.Images;
using Islander.Controller.Reconcile;
using Islander.Controller.State;
using Islander.Drivers.Images;
using Islander.Drivers.Runtime;
using Islander.Drivers.Storage;
using Islander.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Islander.Controller.Hosting;

/// <summary>
/// Composes islanderd: state store, desired state, manifest source, reconcile loop and the API on a unix socket.
/// The caller registers the ports (<see cref="Ports.IIsleRuntime"/>, <see cref="Ports.IIsleLogs"/>, optionally an
/// <see cref="IImageStore"/>: without one, image isles and the images API answer Unsupported; optionally an
/// <see cref="Ports.IIsleExec"/>: without one, exec answers Unsupported) and may
/// replace <see cref="IManifestParser"/> and <see cref="TimeProvider"/>: Program.cs with the real ones, tests with fakes.
/// </summary>
public static class DaemonHost
{
    public static WebApplication Build(DaemonOptions options, Action<IServiceCollection> addPorts, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "islanderd", ContentRootPath = AppContext.BaseDirectory });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ListenUnixSocket(options.Socket);
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = ManifestLimits.MaxFileBytes; // bodies are manifests and JSON; image import lifts it
        });
        var services = builder.Services;
        services.AddSingleton(Options.Create(options));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IManifestParser, ModelManifestParser>();
        services.AddSingleton(_ => new StateStore(Path.Combine(options.State, "islander.db")));
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
            var images = new IsleImages(sp.GetService<IImageStore>(), sp.GetRequiredService<StateStore>(),
                sp.GetRequiredService<DesiredStore>(), sp.GetRequiredService<ILogger<IsleImages>>());
            images.IsleAffected += sp.GetRequiredService<ReconcileQueue>().Add; // an image arrived: its isles get a pass
            return images;
        });
        services.AddSingleton<ExitWatcher>();
        services.AddSingleton<IsleReconciler>();
        services.AddSingleton<ReconcileLoop>();
        services.AddSingleton<ManifestDirectorySource>();
        services.AddHostedService(sp => sp.GetRequiredService<ManifestDirectorySource>());
        services.AddHostedService(sp => sp.GetRequiredService<ReconcileLoop>());
        services.AddHostedService<SystemdNotifier>();
        addPorts(services);
        configure?.Invoke(builder);

        PrepareDirectories(options);
        var app = builder.Build();
        ApiEndpoints.Map(app);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            // 0660 root:root (DESIGN.md): only root and the socket's group may drive the daemon.
            File.SetUnixFileMode(options.Socket, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            app.Logger.LogInformation("islanderd listening on {Socket}; manifests {Manifests}, state {State}", options.Socket, options.Manifests, options.State);
        });
        return app;
    }

    static void PrepareDirectories(DaemonOptions options)
    {
        // 0711, and closed again when an older islander made them 0755 (see HostDirectory): the socket's group must
        // still pass through the run root to reach the 0660 socket.
        HostDirectory.Ensure(options.State, HostDirectory.Traverse);
        HostDirectory.Ensure(options.Run, HostDirectory.Traverse);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Socket))!);
        // A socket file left by a daemon that was killed would make bind() fail with EADDRINUSE.
        if (File.Exists(options.Socket)) File.Delete(options.Socket);
    }
}
