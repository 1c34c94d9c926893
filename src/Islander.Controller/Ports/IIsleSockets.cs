using System.Net.Sockets;

namespace Islander.Controller.Ports;

/// <summary>
/// Sockets inside a running isle's network namespace, for checks that must see the isle's network as its processes do
/// (its loopback), never the host's. Fake: <c>tests/Islander.Testing/Fakes/FakeIsleRuntime</c> (a host socket).
/// </summary>
public interface IIsleSockets
{
    /// <summary>
    /// A new, unconnected IPv4 TCP socket created in the isle's network namespace; it stays there wherever it is used
    /// from. The caller disposes it.
    /// </summary>
    /// <exception cref="Islander.Model.IslanderException">Conflict: the isle is not running.</exception>
    Task<Socket> OpenTcpSocketAsync(string name);
}
