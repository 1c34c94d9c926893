using System.Globalization;
using System.Net.Sockets;
using Islander.Controller.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.Hosting;

/// <summary>
/// systemd's watchdog, which Microsoft.Extensions.Hosting.Systemd lacks (its <see cref="SystemdLifetime"/> sends
/// <c>READY=1</c> once the host has started, the API socket listening, and <c>STOPPING=1</c>). Under a unit with
/// <c>WatchdogSec=</c> (systemd sets <c>$WATCHDOG_USEC</c>) this sends <c>WATCHDOG=1</c> through the library's
/// <see cref="ISystemdNotifier"/> every half period while the reconcile loop is live (<see cref="DaemonHealth.Live"/>,
/// the rule of <c>/healthz</c>): a loop whose passes hang stops the pings, and systemd restarts the daemon (the isles
/// keep running: KillMode=process). Also <c>STATUS=reconciling</c> for <c>systemctl status</c>. Does nothing
/// outside systemd (no <c>$NOTIFY_SOCKET</c>).
/// </summary>
public sealed class SystemdWatchdog(
    IHostApplicationLifetime lifetime, ISystemdNotifier notifier, DaemonHealth health, TimeProvider time, ILogger<SystemdWatchdog> log) : IHostedService, IDisposable
{
    ITimer? _timer;
    bool _reportedStuck;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            Notify("STATUS=reconciling");
            if (WatchdogPeriod() is { } period)
                _timer = time.CreateTimer(_ => Feed(period), null, period / 2, period / 2);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>Sends <c>WATCHDOG=1</c> while <c>/healthz</c> would answer ok; true if it did.</summary>
    public bool Feed(TimeSpan period)
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

    bool Notify(string state)
    {
        if (!notifier.IsEnabled) return false;
        try
        {
            notifier.Notify(new ServiceState(state));
            return true;
        }
        catch (SocketException e)
        {
            log.LogWarning("sd_notify {State} failed: {Error}", state, e.Message);
            return false;
        }
    }
}
