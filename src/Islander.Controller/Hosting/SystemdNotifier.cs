using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.Hosting;

/// <summary>
/// sd_notify(3) without libsystemd: once the API listens, send <c>READY=1</c> to the datagram socket in
/// <c>$NOTIFY_SOCKET</c> (a path, or an abstract name starting with '@'); <c>STOPPING=1</c> on shutdown.
/// Does nothing outside systemd (Type=notify units set the variable).
/// </summary>
public sealed class SystemdNotifier(IHostApplicationLifetime lifetime, ILogger<SystemdNotifier> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => Notify("READY=1\nSTATUS=reconciling"));
        lifetime.ApplicationStopping.Register(() => Notify("STOPPING=1"));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

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
