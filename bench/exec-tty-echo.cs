#:project ../src/Islander.Cli/Islander.Cli.csproj
// Helper of bench/exec-tty-latency.sh: keystroke echo latency of `exec -it` through islanderd. Opens the upgraded exec
// of `sh` with a terminal as islanderctl does, waits for the prompt, then types one key at a time and times until its
// echo comes back (busybox ash echoes in its own line editor: the key goes client → islanderd → the isle's pty →
// the shell → the pty → islanderd → client). Prints the median, p90 and max in ms.
// usage: dotnet run exec-tty-echo.cs -- SOCKET ISLE [KEYSTROKES]
using System.Diagnostics;
using System.Text;
using Islander.Cli.Terminal;
using Islander.Model.Api;

string socket = args[0], isle = args[1];
int keystrokes = args.Length > 2 ? int.Parse(args[2]) : 200;
var ct = CancellationToken.None;
await using var connection = await UpgradedConnection.OpenAsync(socket,
    $"apis/islander.io/v1/isles/{Uri.EscapeDataString(isle)}/exec?command=sh&stdin=true&tty=true&rows=24&cols=200", ct);
using var writer = new StreamFrameWriter(connection);
var reader = new StreamFrameReader(connection);

async Task WaitForAsync(string text)
{
    var seen = new StringBuilder();
    while (!seen.ToString().Contains(text, StringComparison.Ordinal))
    {
        var frame = await reader.ReadAsync(ct) ?? throw new EndOfStreamException("the exec ended");
        if (frame.Kind == StreamKind.Stdout)
            seen.Append(Encoding.UTF8.GetString(frame.Data.Span));
    }
}

await WaitForAsync("# ");
var times = new List<double>();
for (int i = 0; i < keystrokes; i++)
{
    if (i % 50 == 49)
    {
        await writer.WriteAsync(StreamKind.Stdin, "\u0015"u8.ToArray(), ct); // Ctrl-U: a fresh line, so the shell never redraws a long one
        await Task.Delay(50);
        continue;
    }
    var key = (byte)('a' + i % 26);
    var sw = Stopwatch.StartNew();
    await writer.WriteAsync(StreamKind.Stdin, new[] { key }, ct);
    await WaitForAsync(((char)key).ToString());
    times.Add(sw.Elapsed.TotalMilliseconds);
}
await writer.WriteAsync(StreamKind.Stdin, "\u0015exit\r"u8.ToArray(), ct);
times.Sort();
Console.WriteLine($"exec -it keystroke echo over {times.Count} keys: median {times[times.Count / 2]:F3} ms, p90 {times[times.Count * 9 / 10]:F3} ms, max {times[^1]:F3} ms");
