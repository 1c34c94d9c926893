using System.Net.Sockets;
using System.Text;
using Islander.Controller.Hosting;
using Islander.Controller.Metrics;
using Islander.Model;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;

namespace Islander.Controller.Tests.Hosting;

[Collection(nameof(EnvironmentCollection))]
public sealed class SystemdWatchdogTests
{
    [Fact]
    public void Feed_NotifySocketSet_SendsWatchdogDatagram()
    {
        using var listener = Listen(out var path);
        try
        {
            using var h = new ControllerHarness();
            Assert.True(Watchdog(h).Feed(TimeSpan.FromSeconds(60)));

            var buffer = new byte[64];
            int n = listener.Receive(buffer);
            Assert.Equal("WATCHDOG=1", Encoding.UTF8.GetString(buffer, 0, n));
        }
        finally
        {
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", null);
            File.Delete(path);
        }
    }

    [Fact]
    public void Feed_NoNotifySocket_DoesNothing()
    {
        Environment.SetEnvironmentVariable("NOTIFY_SOCKET", null);
        using var h = new ControllerHarness();
        Assert.False(Watchdog(h).Feed(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Feed_LoopLiveThenHung_PingsOnlyWhileLive()
    {
        using var h = new ControllerHarness();
        using var listener = Listen(out var path);
        try
        {
            h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
            await h.SyncAsync();
            var watchdog = Watchdog(h);
            Assert.True(watchdog.Feed(TimeSpan.FromSeconds(60)));
            var buffer = new byte[64];
            int n = listener.Receive(buffer);
            Assert.Equal("WATCHDOG=1", Encoding.UTF8.GetString(buffer, 0, n));

            // The runtime never answers the stop of a recreate: once /healthz says stuck, systemd gets no more pings.
            var released = new TaskCompletionSource();
            h.Runtime.StopGate = _ => released.Task;
            h.Write("web.yaml", ControllerHarness.IsleYaml("web", command: "true"));
            h.Source.Scan();
            var pass = h.Loop.ProcessReadyAsync(TestContext.Current.CancellationToken);
            await ControllerHarness.EventuallyAsync(() => h.StateOf("web") == IslePhase.Stopping, "web to show Stopping");
            h.Time.Advance(h.Options.Resync * DaemonHealth.StuckResyncs + h.Isle("web").StopTimeout + TimeSpan.FromSeconds(1));

            Assert.False(watchdog.Feed(TimeSpan.FromSeconds(60)));
            Assert.Equal(0, listener.Available);

            released.SetResult();
            await pass;
        }
        finally
        {
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", null);
            File.Delete(path);
        }
    }

    [Fact]
    public void WatchdogPeriod_UsecForThisProcess_IsPeriod()
    {
        try
        {
            Environment.SetEnvironmentVariable("WATCHDOG_USEC", "30000000");
            Environment.SetEnvironmentVariable("WATCHDOG_PID", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(TimeSpan.FromSeconds(30), SystemdWatchdog.WatchdogPeriod());
            Environment.SetEnvironmentVariable("WATCHDOG_PID", "1");
            Assert.Null(SystemdWatchdog.WatchdogPeriod());
            Environment.SetEnvironmentVariable("WATCHDOG_PID", null);
            Environment.SetEnvironmentVariable("WATCHDOG_USEC", null);
            Assert.Null(SystemdWatchdog.WatchdogPeriod());
        }
        finally
        {
            Environment.SetEnvironmentVariable("WATCHDOG_USEC", null);
            Environment.SetEnvironmentVariable("WATCHDOG_PID", null);
        }
    }

    /// <summary>With the library's notifier, made after the test set <c>$NOTIFY_SOCKET</c> (it reads it once).</summary>
    static SystemdWatchdog Watchdog(ControllerHarness h) =>
        new(new NoLifetime(), new SystemdNotifier(), h.Get<DaemonHealth>(), h.Time, NullLogger<SystemdWatchdog>.Instance);

    static Socket Listen(out string path)
    {
        path = Path.Combine(Path.GetTempPath(), $"notify-{Guid.NewGuid():N}.sock");
        var listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        Environment.SetEnvironmentVariable("NOTIFY_SOCKET", path);
        return listener;
    }

    sealed class NoLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() { }
    }
}

[CollectionDefinition(nameof(EnvironmentCollection), DisableParallelization = true)]
public sealed class EnvironmentCollection;
