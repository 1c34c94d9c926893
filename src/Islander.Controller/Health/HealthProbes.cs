using System.Net;
using System.Net.Sockets;
using System.Text;
using Islander.Controller.Ports;
using Islander.Drivers.Runtime;
using Islander.Model;
using Islander.Model.Api;

namespace Islander.Controller.Health;

/// <summary>
/// Runs one check of an isle and says how it went; never throws for the isle's failures. exec: the command through
/// <see cref="IIsleExec"/>, the path of <c>islanderctl exec</c> (the isle's namespaces, cgroup, user and confinement),
/// killed at the timeout. tcp and http: a socket made in the isle's network namespace (<see cref="IIsleSockets"/>)
/// connects to 127.0.0.1 there, so the check sees the isle's loopback and never the host's network.
/// </summary>
public sealed class HealthProbes(IIsleExec exec, IIsleSockets? sockets, TimeProvider time)
{
    /// <summary>Output kept per result: Docker's 4 KiB.</summary>
    public const int MaxOutput = 4096;

    public async Task<HealthResultView> RunAsync(string name, IsleHealthCheck check, CancellationToken cancellationToken)
    {
        var start = time.GetUtcNow();
        using var timeout = new CancellationTokenSource(check.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        HealthResultView Failed(string output, int? exitCode = null) => new(start, time.GetUtcNow(), false, output, exitCode);
        try
        {
            if (check.Http is { } http)
                return await HttpAsync(name, http, start, linked.Token);
            if (check.Tcp is { } tcp)
            {
                using var socket = await SocketAsync(name);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, tcp.Port), linked.Token);
                return new HealthResultView(start, time.GetUtcNow(), true, $"connected to 127.0.0.1:{tcp.Port}");
            }
            return await ExecAsync(name, check.Exec, start, linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Failed($"timed out after {Seconds(check.Timeout)}", check.Http is null && check.Tcp is null ? -1 : null);
        }
        catch (SocketException e)
        {
            return Failed($"{(check.Http ?? (object?)check.Tcp) switch { HttpHealthCheck h => $"127.0.0.1:{h.Port}", TcpHealthCheck t => $"127.0.0.1:{t.Port}", _ => "" }}: {e.Message}");
        }
        catch (IsleExecException e)
        {
            return Failed(e.Message, e.CommandFailed ? e.ExitCode : -1);
        }
        catch (Exception e) when (e is IslanderException or IOException)
        {
            return Failed(e.Message, check.Http is null && check.Tcp is null ? -1 : null);
        }
    }

    Task<Socket> SocketAsync(string name) => (sockets ?? throw new IslanderException(
        "this islanderd cannot open sockets in isles, so tcp and http health checks fail; use an exec check", ErrorCategory.Unsupported)).OpenTcpSocketAsync(name);

    async Task<HealthResultView> ExecAsync(string name, IReadOnlyList<string> command, DateTimeOffset start, CancellationToken cancellationToken)
    {
        var output = new byte[MaxOutput];
        var length = 0;
        var result = await exec.ExecAsync(name, new ExecRequest { Command = command }, (_, data, _) =>
        {
            // Keep the first 4 KiB of stdout and stderr together; the rest is read and dropped, so the process never blocks.
            var take = Math.Min(data.Length, MaxOutput - length);
            data.Span[..take].CopyTo(output.AsSpan(length));
            length += take;
            return ValueTask.CompletedTask;
        }, started: null, cancellationToken);
        var text = Encoding.UTF8.GetString(output, 0, length);
        return new HealthResultView(start, time.GetUtcNow(), result.ShellCode == 0, text, result.ShellCode);
    }

    /// <summary>
    /// GET with HTTP/1.0 (one request, the server closes): Kubernetes' rule, 200 to 399 is healthy; redirects are not
    /// followed. Only the status line is read.
    /// </summary>
    async Task<HealthResultView> HttpAsync(string name, HttpHealthCheck http, DateTimeOffset start, CancellationToken cancellationToken)
    {
        using var socket = await SocketAsync(name);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, http.Port), cancellationToken);
        var request = Encoding.ASCII.GetBytes($"GET {http.Path} HTTP/1.0\r\nHost: 127.0.0.1:{http.Port}\r\nUser-Agent: islander-health\r\nAccept: */*\r\nConnection: close\r\n\r\n");
        await socket.SendAsync(request, SocketFlags.None, cancellationToken);
        var buffer = new byte[1024];
        var length = 0;
        while (length < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken);
            if (n == 0) break;
            length += n;
            if (buffer.AsSpan(0, length).IndexOf("\r\n"u8) >= 0) break;
        }
        var head = Encoding.ASCII.GetString(buffer, 0, length);
        var line = head.Split("\r\n")[0];
        var parts = line.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/", StringComparison.Ordinal) || !int.TryParse(parts[1], out var status))
            return new HealthResultView(start, time.GetUtcNow(), false, $"not an HTTP response from 127.0.0.1:{http.Port}: \"{Excerpt(line)}\"");
        return new HealthResultView(start, time.GetUtcNow(), status is >= 200 and < 400, $"GET {http.Path}: {Excerpt(line)}", HttpStatus: status);
    }

    static string Excerpt(string s) => s.Length <= 200 ? s : s[..200] + "...";

    static string Seconds(TimeSpan t) => t.TotalSeconds >= 1 && t.Milliseconds == 0 ? $"{t.TotalSeconds:0}s" : $"{t.TotalMilliseconds:0}ms";
}
