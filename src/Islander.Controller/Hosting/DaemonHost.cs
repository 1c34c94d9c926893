using System.Net;
using System.Net.Sockets;
using Islander.Controller.Api;
using Islander.Controller.Metrics;
using Islander.Controller.State;
using Islander.Drivers.Runtime;
using Islander.Drivers.Storage;
using Islander.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.Hosting;

/// <summary>
/// islanderd: the controller composed from <see cref="DaemonParts"/> (<see cref="ControllerServices.AddIslanderController"/>)
/// and the API on a unix socket. Program.cs passes the real parts, tests fakes; <paramref name="configure"/> may add to
/// the host (logging).
/// </summary>
public static class DaemonHost
{
    /// <param name="listenFds">
    /// Listening sockets systemd passed (islanderd.socket; <see cref="SocketActivation.Take"/>): the API listens on
    /// them instead of making <see cref="DaemonOptions.Socket"/>, whose file, owner and mode are then the socket unit's.
    /// </param>
    public static WebApplication Build(DaemonOptions options, DaemonParts parts, Action<WebApplicationBuilder>? configure = null, IReadOnlyList<int>? listenFds = null)
    {
        listenFds ??= [];
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "islanderd", ContentRootPath = AppContext.BaseDirectory });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.WebHost.ConfigureKestrel(k =>
        {
            if (listenFds.Count == 0) k.ListenUnixSocket(options.Socket);
            foreach (var fd in listenFds) k.ListenHandle((ulong)fd);
            if (options.MetricsAddress is { } address) k.Listen(MetricsEndPoint(address));
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = ManifestLimits.MaxFileBytes; // bodies are manifests and JSON; image import lifts it
        });
        // Under systemd (its child, or PID 1 of a container with $NOTIFY_SOCKET): SystemdLifetime sends READY=1 when the
        // host has started (Kestrel listens) and STOPPING=1, and stops the host on SIGTERM. Elsewhere, the console's.
        builder.Services.AddSystemd();
        // What minimal APIs serialize themselves goes through the views' source-generated context: no reflection.
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, Model.Api.ApiJson.Context));
        builder.Services.AddIslanderController(options, parts);
        configure?.Invoke(builder);

        PrepareDirectories(options, activated: listenFds.Count > 0);
        var app = builder.Build();
        // Opened (and migrated) now, before the socket listens: a client never sees a daemon that is still migrating, and
        // a database from a newer islanderd stops the start here (Program.cs checks it before even this).
        app.Services.GetRequiredService<StateStore>();
        // The records checked against the kernel, also before the socket listens: an isle that died while the daemon
        // was down is never shown Running with its dead pid, not even before its first pass.
        app.Services.GetRequiredService<Reconcile.StartupCheck>().Run();
        if (options.MetricsAddress is not null) app.Use(OnlyMetricsOverTcp);
        app.Use(app.Services.GetRequiredService<IdleMemoryTrim>().Track);
        ApiEndpoints.Map(app);
        MetricsEndpoints.Map(app);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            if (listenFds.Count > 0)
            {
                // systemd's socket: made, owned and moded by the socket unit (SocketMode=, SocketGroup=); it outlives
                // this process, so a restart loses no connection.
                app.Logger.LogInformation("islanderd listening on {Socket} (from systemd); manifests {Manifests}, state {State}",
                    string.Join(", ", listenFds.Select(SocketPath)), options.Manifests, options.State);
                return;
            }
            // 0660 root:GROUP (docs/security.md, CVE-2020-15257): only root and the socket's group (socketGroup, as
            // Docker's docker group; root's when none is set) may drive the daemon.
            HostSocket.Restrict(options.Socket, options.SocketGid);
            app.Logger.LogInformation("islanderd listening on {Socket}; manifests {Manifests}, state {State}", options.Socket, options.Manifests, options.State);
        });
        return app;
    }

    /// <summary>Parses <see cref="DaemonOptions.MetricsAddress"/>: an IP address and a port.</summary>
    public static IPEndPoint MetricsEndPoint(string address) =>
        IPEndPoint.TryParse(address, out var endPoint) && endPoint.Port != 0
            ? endPoint
            : throw new ArgumentException($"metrics address \"{address}\": expected IP:PORT, e.g. 127.0.0.1:9323 or [::1]:9323", nameof(address));

    /// <summary>
    /// The TCP listener is for scrapers and probes: any other path there is 404, so the API (which trusts whoever can
    /// open the 0660 socket) is never reachable over the network.
    /// </summary>
    static Task OnlyMetricsOverTcp(HttpContext context, RequestDelegate next)
    {
        if (context.Connection.LocalIpAddress is not null
            && context.Request.Path.Value is not (MetricsEndpoints.MetricsPath or MetricsEndpoints.HealthPath or MetricsEndpoints.ReadyPath))
        {
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        }
        return next(context);
    }

    /// <summary>What a passed fd listens on: a unix socket's path, or an address.</summary>
    static string SocketPath(int fd)
    {
        using var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: false));
        return socket.LocalEndPoint?.ToString() ?? $"fd {fd}";
    }

    static void PrepareDirectories(DaemonOptions options, bool activated)
    {
        // 0711, and closed again when an older islander made them 0755 (see HostDirectory): the socket's group must
        // still pass through the run root to reach the 0660 socket.
        HostDirectory.Ensure(options.State, HostDirectory.Traverse);
        HostDirectory.Ensure(options.Run, HostDirectory.Traverse);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Socket))!);
        // A socket file left by a daemon that was killed would make bind() fail with EADDRINUSE. A socket systemd
        // passed is not this daemon's to remove.
        if (!activated && File.Exists(options.Socket)) File.Delete(options.Socket);
        Api.ImageEndpoints.RemoveInterruptedUploads(options.State);
    }
}
