using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Islander.Cli.Api;

namespace Islander.Cli.Terminal;

/// <summary>
/// An upgraded connection to islanderd, Docker's hijacked one: an HTTP/1.1 request with <c>Connection: Upgrade</c> and
/// <c>Upgrade: tcp</c> on the unix socket; <c>101 Switching Protocols</c> hands over the raw stream, on which
/// <see cref="StreamClient"/> speaks frames. HttpClient cannot give up a connection after a 101, hence this small
/// HTTP/1.1 of its own: the request, the status line and headers, and for an error its body (Content-Length or chunked).
/// </summary>
public static class UpgradedConnection
{
    const int MaxHeaderBytes = 64 * 1024;

    /// <summary>
    /// Sends <c>POST pathAndQuery</c> asking to upgrade; returns the stream once islanderd answers 101.
    /// </summary>
    /// <exception cref="ClientException">islanderd answered with an error Status (its message and reason), or cannot be reached.</exception>
    public static async Task<Stream> OpenAsync(string socketPath, string pathAndQuery, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw IslanderClient.Unreachable(socketPath, e.SocketErrorCode);
        }
        var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            var request = $"POST /{pathAndQuery.TrimStart('/')} HTTP/1.1\r\nHost: islanderd\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
                + "Accept: application/json\r\nContent-Length: 0\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request), ct);
            var (status, reason, headers) = await ReadHeadAsync(stream, ct);
            if (status == 101)
                return stream;
            var body = await ReadBodyAsync(stream, headers, ct);
            throw IslanderClient.Failure(status, reason, body);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    static async Task<(int Status, string Reason, Dictionary<string, string> Headers)> ReadHeadAsync(Stream stream, CancellationToken ct)
    {
        // Byte by byte up to the blank line: nothing of what follows a 101 (the first frames) may be read into a buffer here.
        var head = new List<byte>(256);
        var one = new byte[1];
        while (head.Count < 4 || head[^4] != '\r' || head[^3] != '\n' || head[^2] != '\r' || head[^1] != '\n')
        {
            if (await stream.ReadAsync(one, ct) == 0)
                throw new ClientException("islanderd closed the connection before answering the exec", "Unavailable", 125);
            head.Add(one[0]);
            if (head.Count > MaxHeaderBytes)
                throw new ClientException("islanderd's answer has more than 64 KiB of headers", "Unavailable", 125);
        }
        var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var first = lines[0].Split(' ', 3);
        if (first.Length < 2 || !int.TryParse(first[1], NumberStyles.None, CultureInfo.InvariantCulture, out int status))
            throw new ClientException($"islanderd answered \"{lines[0]}\", not HTTP", "Unavailable", 125);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
            if (line.IndexOf(':') is > 0 and var colon)
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        return (status, first.Length > 2 ? first[2] : "", headers);
    }

    /// <summary>An error answer's body, as JSON text: Content-Length bytes, chunked, or up to the end.</summary>
    static async Task<string> ReadBodyAsync(Stream stream, Dictionary<string, string> headers, CancellationToken ct)
    {
        using var body = new MemoryStream();
        if (headers.TryGetValue("Content-Length", out var lengthText) && long.TryParse(lengthText, CultureInfo.InvariantCulture, out long length))
            await CopyAsync(stream, body, length, ct);
        else if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            while (true)
            {
                var sizeLine = await ReadLineAsync(stream, ct);
                int semicolon = sizeLine.IndexOf(';');
                long size = long.Parse(semicolon >= 0 ? sizeLine[..semicolon] : sizeLine, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                    break;
                await CopyAsync(stream, body, size, ct);
                await ReadLineAsync(stream, ct);
            }
        }
        else
            await stream.CopyToAsync(body, ct);
        return Encoding.UTF8.GetString(body.ToArray());
    }

    static async Task CopyAsync(Stream from, Stream to, long count, CancellationToken ct)
    {
        var buffer = new byte[8192];
        while (count > 0)
        {
            int n = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), ct);
            if (n == 0)
                break;
            await to.WriteAsync(buffer.AsMemory(0, n), ct);
            count -= n;
        }
    }

    static async Task<string> ReadLineAsync(Stream stream, CancellationToken ct)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (await stream.ReadAsync(one, ct) == 1 && one[0] != '\n')
            if (one[0] != '\r')
                line.Append((char)one[0]);
        return line.ToString();
    }
}
