using System.Net.Sockets;
using System.Text;
using Islander.Controller.Hosting;
using Islander.Model;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Islander.Controller.Tests.Hosting;

[Collection(nameof(EnvironmentCollection))]
public sealed class SystemdNotifierTests
{
    [Fact]
    public void Notify_NotifySocketSet_SendsDatagram()
    {
        var path = Path.Combine(Path.GetTempPath(), $"notify-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        Environment.SetEnvironmentVariable("NOTIFY_SOCKET", path);
        try
        {
            using var h = new ControllerHarness();
            var notifier = Notifier(h);

            Assert.True(notifier.Notify("READY=1"));

            var buffer = new byte[64];
            int n = listener.Receive(buffer);
            Assert.Equal("READY=1", Encoding.UTF8.GetString(buffer, 0, n));
        }
        finally
        {
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", null);
            File.Delete(path);
        }
    }

    [Fact]
    public void Notify_NoNotifySocket_DoesNothing()
    {
        Environment.SetEnvironmentVariable("NOTIFY_SOCKET", null);
        using var h = new ControllerHarness();
        Assert.False(Notifier(h).Notify("READY=1"));
    }

    [Fact]
    public async Task FeedWatchdog_PassEndedWithinPeriod_SendsWatchdog()
    {
        using var h = new ControllerHarness();
        using var listener = Listen(out var path);
        try
        {
            h.Time.Advance(TimeSpan.FromMinutes(5));
            h.Queue.Add(ObjectKey.Isle("absent"));
            Assert.Equal(1, await h.Loop.ProcessReadyAsync(TestContext.Current.CancellationToken));
            h.Time.Advance(TimeSpan.FromSeconds(50));

            Assert.True(Notifier(h).FeedWatchdog(TimeSpan.FromSeconds(60)));
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
    public void FeedWatchdog_NoPassForLongerThanPeriod_SendsNothing()
    {
        using var h = new ControllerHarness();
        using var listener = Listen(out var path);
        try
        {
            // The loop is not taking keys (no dispatcher waits) and no pass moved for longer than the period: a hung loop.
            h.Time.Advance(TimeSpan.FromSeconds(61));

            Assert.False(Notifier(h).FeedWatchdog(TimeSpan.FromSeconds(60)));
            Assert.Equal(0, listener.Available);
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
            Assert.Equal(TimeSpan.FromSeconds(30), SystemdNotifier.WatchdogPeriod());
            Environment.SetEnvironmentVariable("WATCHDOG_PID", "1");
            Assert.Null(SystemdNotifier.WatchdogPeriod());
            Environment.SetEnvironmentVariable("WATCHDOG_PID", null);
            Environment.SetEnvironmentVariable("WATCHDOG_USEC", null);
            Assert.Null(SystemdNotifier.WatchdogPeriod());
        }
        finally
        {
            Environment.SetEnvironmentVariable("WATCHDOG_USEC", null);
            Environment.SetEnvironmentVariable("WATCHDOG_PID", null);
        }
    }

    static SystemdNotifier Notifier(ControllerHarness h) =>
        new(new NoLifetime(), h.Loop, h.Time, NullLogger<SystemdNotifier>.Instance);

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
