using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Islander.Controller.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.Hosting;

/// <summary>
/// sd_notify(3) without libsystemd: once the API listens, send <c>READY=1</c> to the datagram socket in
/// <c>$NOTIFY_SOCKET</c> (a path, or an abstract name starting with '@'); <c>STOPPING=1</c> on shutdown. Under a unit
/// with <c>WatchdogSec=</c> (systemd sets <c>$WATCHDOG_USEC</c>), sends <c>WATCHDOG=1</c> every half period while the
/// reconcile loop is live (<see cref="DaemonHealth.Live"/>, the rule of <c>/healthz</c>): a loop whose passes hang stops the pings, and systemd
/// restarts the daemon (the isles keep running: KillMode=process). Does nothing outside systemd.
/// </summary>
public sealed class SystemdNotifier(
    IHostApplicationLifetime lifetime, DaemonHealth health, TimeProvider time, ILogger<SystemdNotifier> log) : IHostedService, IDisposable
{
    ITimer? _watchdog;
    bool _reportedStuck;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            Notify("READY=1\nSTATUS=reconciling");
            if (WatchdogPeriod() is { } period)
                _watchdog = time.CreateTimer(_ => FeedWatchdog(period), null, period / 2, period / 2);
        });
        lifetime.ApplicationStopping.Register(() => Notify("STOPPING=1"));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _watchdog?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _watchdog?.Dispose();

    /// <summary>
    /// Sends <c>WATCHDOG=1</c> while <c>/healthz</c> would answer ok; true if it did.
    /// </summary>
    public bool FeedWatchdog(TimeSpan period)
    {
        var live = health.Live();
        if (live.Ok)
        {
            _reportedStuck = false;
            return Notify("WATCHDOG=1");
        }
        if (!_reportedStuck)
        {
            _reportedStuck = true;
            log.LogError("Not feeding systemd's watchdog (period {Period}): {Reason}", period, live.Message);
        }
        return false;
    }

    /// <summary>The watchdog period systemd asks for: <c>$WATCHDOG_USEC</c>, when <c>$WATCHDOG_PID</c> is unset or this process.</summary>
    public static TimeSpan? WatchdogPeriod()
    {
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (!string.IsNullOrEmpty(pid) && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture)) return null;
        return long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var us) && us > 0
            ? TimeSpan.FromMicroseconds(us)
            : null;
    }

    /// <summary>Sends one notification; false if there is no NOTIFY_SOCKET.</summary>
    public bool Notify(string state)
    {
        var path = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path)) return false;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            // Abstract socket names start with '@' in the variable and with a NUL byte on the wire.
            var endpoint = new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
            socket.SendTo(Encoding.UTF8.GetBytes(state), endpoint);
            return true;
        }
        catch (SocketException e)
        {
            log.LogWarning("sd_notify to {Socket} failed: {Error}", path, e.Message);
            return false;
        }
    }
}
