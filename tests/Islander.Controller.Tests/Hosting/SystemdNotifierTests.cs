using System.Net.Sockets;
using System.Text;
using Islander.Controller.Hosting;
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
            var notifier = new SystemdNotifier(new NoLifetime(), NullLogger<SystemdNotifier>.Instance);

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
        Assert.False(new SystemdNotifier(new NoLifetime(), NullLogger<SystemdNotifier>.Instance).Notify("READY=1"));
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
