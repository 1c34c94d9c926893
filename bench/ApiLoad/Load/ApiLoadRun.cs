using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Islander.Bench.ApiLoad;

/// <summary>
/// Runs <see cref="ApiLoadOptions"/>' clients against islanderd at once for the run's duration and gathers their
/// figures: request loops (get, apply) time each request; followers and watchers keep one stream open for the whole
/// run and time each entry's delivery. A stream that ends before the run does is an error.
/// </summary>
public sealed class ApiLoadRun
{
    readonly ApiLoadOptions _options;
    readonly Dictionary<string, Recorder> _kinds = new()
    {
        ["get"] = new("get"), ["logs"] = new("logs"), ["events"] = new("events"), ["apply"] = new("apply"),
    };

    ApiLoadRun(ApiLoadOptions options) => _options = options;

    public static async Task<ApiLoadReport> RunAsync(ApiLoadOptions options, CancellationToken ct = default)
    {
        if (options.Apply > 0 && options.Rootfs is null) throw new ArgumentException("apply clients need a rootfs for their isles", nameof(options));
        return await new ApiLoadRun(options).RunAsync(ct);
    }

    async Task<ApiLoadReport> RunAsync(CancellationToken ct)
    {
        var followed = _options.Logs > 0 ? await LogIslesAsync(ct) : [];
        using var end = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var clients = new List<Task>();
        var followers = new List<Follower>();
        for (int i = 0; i < _options.Logs; i++)
        {
            var f = new Follower($"{UnixHttp.Api}/isles/{followed[i % followed.Count]}/log?follow=true{(_options.LogTail is { } n ? $"&tail={n}" : "")}", "logs");
            followers.Add(f);
            clients.Add(StreamAsync(f, end.Token));
        }
        for (int i = 0; i < _options.Events; i++)
        {
            var f = new Follower($"{UnixHttp.Api}/events?watch=true", "events");
            followers.Add(f);
            clients.Add(StreamAsync(f, end.Token));
        }
        for (int i = 0; i < _options.Get; i++) clients.Add(GetLoopAsync(end.Token));
        for (int i = 0; i < _options.Apply; i++) clients.Add(ApplyLoopAsync(_options.ApplyName(i), end.Token));
        var sw = Stopwatch.StartNew();
        end.CancelAfter(_options.Duration);
        await Task.WhenAll(clients);
        var elapsed = sw.Elapsed;
        // A follower stalled: its isle writes every second or so, yet nothing came for a while before the end.
        foreach (var f in followers.Where(f => f.Kind == "logs" && f.Open && f.SinceLast > _options.StallAfter))
            _kinds["logs"].Stall($"{f.Path}: nothing received for {f.SinceLast.TotalSeconds:F1} s at the end");
        if (_options.Apply > 0 && _options.DeleteAppliedIsles) await DeleteAppliedAsync(ct);
        return new ApiLoadReport(elapsed, [
            _kinds["get"].Report(_options.Get), _kinds["logs"].Report(_options.Logs),
            _kinds["events"].Report(_options.Events), _kinds["apply"].Report(_options.Apply)]);
    }

    /// <summary>The isles to follow: the options' own, or every isle running now.</summary>
    async Task<IReadOnlyList<string>> LogIslesAsync(CancellationToken ct)
    {
        if (_options.LogIsles.Count > 0) return _options.LogIsles;
        using var http = UnixHttp.Client(_options.Socket, _options.RequestTimeout);
        using var doc = JsonDocument.Parse(await http.GetStringAsync($"{UnixHttp.Api}/isles", ct));
        var running = doc.RootElement.GetProperty("items").EnumerateArray()
            .Where(i => i.TryGetProperty("status", out var s) && s.TryGetProperty("phase", out var p) && p.GetString() == "Running")
            .Select(i => i.GetProperty("metadata").GetProperty("name").GetString()!).ToList();
        return running.Count > 0 ? running : throw new InvalidOperationException("no isle is running: the log followers have nothing to follow");
    }

    async Task GetLoopAsync(CancellationToken end)
    {
        var kind = _kinds["get"];
        using var http = UnixHttp.Client(_options.Socket, _options.RequestTimeout);
        while (!end.IsCancellationRequested)
        {
            var sw = Stopwatch.StartNew();
            try
            {
                // Not cancelled by the end of the run: a request that has started is timed to its end.
                using var r = await http.GetAsync($"{UnixHttp.Api}/isles", CancellationToken.None);
                var body = await r.Content.ReadAsByteArrayAsync(CancellationToken.None);
                if (!r.IsSuccessStatusCode) kind.Fail($"GET isles: {(int)r.StatusCode} {Excerpt(body)}");
                else if (!HasItems(body)) kind.Fail($"GET isles: 200 without items: {Excerpt(body)}");
                else kind.Sample(sw.Elapsed.TotalMilliseconds);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                kind.Fail($"GET isles: {e.GetType().Name}: {e.Message}");
            }
            if (_options.GetPause > TimeSpan.Zero && !await PauseAsync(_options.GetPause, end)) break;
        }
    }

    async Task ApplyLoopAsync(string name, CancellationToken end)
    {
        var kind = _kinds["apply"];
        using var http = UnixHttp.Client(_options.Socket, _options.RequestTimeout);
        for (int round = 0; !end.IsCancellationRequested; round++)
        {
            var yaml = ApplyYaml(name, round);
            var sw = Stopwatch.StartNew();
            try
            {
                using var content = new StringContent(yaml, Encoding.UTF8);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/yaml");
                using var r = await http.PostAsync($"{UnixHttp.Api}/apply?source=apiload", content, CancellationToken.None);
                var body = await r.Content.ReadAsByteArrayAsync(CancellationToken.None);
                if (!r.IsSuccessStatusCode) kind.Fail($"apply {name}: {(int)r.StatusCode} {Excerpt(body)}");
                else kind.Sample(sw.Elapsed.TotalMilliseconds);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                kind.Fail($"apply {name}: {e.GetType().Name}: {e.Message}");
            }
            if (!await PauseAsync(_options.ApplyPause, end)) break;
        }
    }

    /// <summary>The apply clients' isle: writes a line a second (something to follow), a new label and the other memory limit each round.</summary>
    string ApplyYaml(string name, int round) => string.Create(CultureInfo.InvariantCulture, $"""
        apiVersion: islander.io/v1
        kind: Isle
        metadata:
          name: {name}
          labels: {"{"}apiload: "true", round: "{round}"{"}"}
        spec:
          rootfs: {_options.Rootfs}
          command: ["sh", "-c", "while true; do echo tick; sleep 1; done"]
          restartPolicy: Always
          stopTimeout: 1s
          resources: {"{"}memory: {(round % 2 == 0 ? "32Mi" : "48Mi")}{"}"}

        """);

    async Task DeleteAppliedAsync(CancellationToken ct)
    {
        using var http = UnixHttp.Client(_options.Socket, _options.RequestTimeout);
        for (int i = 0; i < _options.Apply; i++)
        {
            try
            {
                using var r = await http.DeleteAsync($"{UnixHttp.Api}/isles/{_options.ApplyName(i)}", ct);
            }
            catch (HttpRequestException e)
            {
                _kinds["apply"].Fail($"delete {_options.ApplyName(i)}: {e.Message}");
            }
        }
    }

    /// <summary>One stream for the whole run: its time to headers is its latency; each line's delivery lag is timed.</summary>
    async Task StreamAsync(Follower f, CancellationToken end)
    {
        var kind = _kinds[f.Kind];
        using var http = UnixHttp.Client(_options.Socket, Timeout.InfiniteTimeSpan);
        var sw = Stopwatch.StartNew();
        try
        {
            using var r = await http.GetAsync(f.Path, HttpCompletionOption.ResponseHeadersRead, end);
            if (!r.IsSuccessStatusCode)
            {
                kind.Fail($"{f.Path}: {(int)r.StatusCode} {Excerpt(await r.Content.ReadAsByteArrayAsync(end))}");
                return;
            }
            kind.Sample(sw.Elapsed.TotalMilliseconds);
            var opened = DateTimeOffset.UtcNow;
            f.Received();
            f.Open = true;
            using var reader = new StreamReader(await r.Content.ReadAsStreamAsync(end));
            while (await reader.ReadLineAsync(end) is { } line)
            {
                f.Received();
                if (TimeOf(line) is not { } time)
                {
                    kind.Fail($"{f.Path}: a line that is not an entry: {Excerpt(Encoding.UTF8.GetBytes(line))}", request: false);
                    continue;
                }
                kind.Item(time >= opened ? (DateTimeOffset.UtcNow - time).TotalMilliseconds : null);
            }
            f.Open = false;
            if (!end.IsCancellationRequested) kind.Fail($"{f.Path}: the stream ended after {sw.Elapsed.TotalSeconds:F1} s", request: false);
        }
        catch (OperationCanceledException) when (end.IsCancellationRequested)
        {
            // the end of the run: the stream was alive until now
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            kind.Fail($"{f.Path}: {e.GetType().Name} after {sw.Elapsed.TotalSeconds:F1} s: {e.Message}", request: !f.Open);
            f.Open = false;
        }
    }

    /// <summary>A log entry's or an event's <c>time</c>; null when the line is not one.</summary>
    static DateTimeOffset? TimeOf(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.TryGetProperty("time", out var t) && t.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static bool HasItems(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    static async Task<bool> PauseAsync(TimeSpan pause, CancellationToken end)
    {
        try
        {
            await Task.Delay(pause, end);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    static string Excerpt(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200)).ReplaceLineEndings(" ");
        return body.Length > 200 ? text + "..." : text;
    }

    sealed class Follower(string path, string kind)
    {
        long _last = Stopwatch.GetTimestamp();
        public string Path => path;
        public string Kind => kind;
        public volatile bool Open;
        public void Received() => Interlocked.Exchange(ref _last, Stopwatch.GetTimestamp());
        public TimeSpan SinceLast => Stopwatch.GetElapsedTime(Interlocked.Read(ref _last));
    }

    /// <summary>One kind's samples and errors; the clients of the kind record into it at once.</summary>
    sealed class Recorder(string kind)
    {
        const int KeptErrors = 10;
        readonly object _lock = new();
        readonly List<double> _latency = [];
        readonly List<double> _lag = [];
        readonly List<string> _errors = [];
        long _requests, _failures, _items;
        int _stalled;

        public void Sample(double ms)
        {
            lock (_lock)
            {
                _requests++;
                _latency.Add(ms);
            }
        }

        /// <summary>An error; <paramref name="request"/>: of a request of its own (not of a stream already counted).</summary>
        public void Fail(string what, bool request = true)
        {
            lock (_lock)
            {
                if (request) _requests++;
                _failures++;
                if (_errors.Count < KeptErrors && !_errors.Contains(what)) _errors.Add(what);
            }
        }

        public void Stall(string what)
        {
            lock (_lock)
            {
                _stalled++;
                if (_errors.Count < KeptErrors && !_errors.Contains(what)) _errors.Add(what);
            }
        }

        public void Item(double? lagMs)
        {
            lock (_lock)
            {
                _items++;
                if (lagMs is { } l) _lag.Add(l);
            }
        }

        public KindReport Report(int clients)
        {
            lock (_lock)
                return new KindReport(kind, clients, _requests, _failures, LatencyStats.Of(_latency), _items, LatencyStats.Of(_lag), _stalled, [.. _errors]);
        }
    }
}
