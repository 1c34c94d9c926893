using System.Net.Sockets;

namespace Islander.Bench.ApiLoad;

/// <summary>An HttpClient on islanderd's unix socket, with connections of its own (one client, one connection).</summary>
public static class UnixHttp
{
    public const string Api = "/apis/islander.io/v1";

    public static HttpClient Client(string socket, TimeSpan timeout) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                return new NetworkStream(s, ownsSocket: true);
            }
            catch
            {
                s.Dispose();
                throw;
            }
        },
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
    })
    { BaseAddress = new Uri("http://islanderd"), Timeout = timeout };
}
