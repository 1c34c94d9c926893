using Islander.Model;
using Islander.Model.Api;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Islander.Cli.Api;

/// <summary>
/// islanderd's API over its unix socket: HTTP/1.1 + JSON, paths under /apis/islander.io/v1.
/// Every failure becomes a <see cref="ClientException"/> whose message tells the user what to do.
/// </summary>
public sealed partial class IslanderClient : IDisposable
{
    public const string DefaultSocket = "/run/islander/islander.sock";
    const string Prefix = "apis/islander.io/v1/";

    readonly HttpClient _http;

    public IslanderClient(string socketPath)
    {
        SocketPath = socketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://islanderd/"), Timeout = Timeout.InfiniteTimeSpan };
    }

    public string SocketPath { get; }

    /// <summary><c>--socket</c>, else <c>$ISLANDER_SOCKET</c>, else the default.</summary>
    public static string ResolveSocket(string? flag) =>
        !string.IsNullOrEmpty(flag) ? flag
        : Environment.GetEnvironmentVariable("ISLANDER_SOCKET") is { Length: > 0 } env ? env
        : DefaultSocket;

    /// <summary>The kinds of object, as the API's paths name them.</summary>
    public static readonly IReadOnlyList<string> Plurals = ["isles", "networks", "volumes", "sources"];

    /// <summary>The kinds as <c>describe</c> and <c>delete</c> take them: isle, network, volume, source.</summary>
    public static IReadOnlyList<string> Singulars => [.. Plurals.Select(p => p[..^1])];

    /// <summary>isles, networks, volumes or sources from what people type (isle, isles, net, vol, ...).</summary>
    public static string Plural(string kind) => kind.ToLowerInvariant() switch
    {
        "isle" or "isles" => "isles",
        "network" or "networks" or "net" or "nets" => "networks",
        "volume" or "volumes" or "vol" or "vols" => "volumes",
        "source" or "sources" or "src" => "sources",
        _ => throw new ClientException($"unknown kind \"{kind}\"; use isles, networks, volumes or sources", "BadRequest"),
    };

    public async Task<string> GetRawAsync(string plural, string? name, CancellationToken ct, string? selector = null)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, Prefix + plural + (name is null ? "" : "/" + Uri.EscapeDataString(name)) + Query(selector)), ct);
        return await ReadAsync(response, ct);
    }

    /// <summary>The objects of a kind that <paramref name="selector"/> selects (all without one); islanderd does the selecting.</summary>
    public async Task<IReadOnlyList<ObjectView>> ListAsync(string plural, string? selector, CancellationToken ct) =>
        JsonSerializer.Deserialize(await GetRawAsync(plural, null, ct, selector), ApiJson.Context.ObjectListView)!.Items;

    /// <summary>
    /// A watch of a kind (<c>GET isles?watch=true</c>), or of its object <paramref name="name"/> alone
    /// (<c>fieldSelector=metadata.name=</c>): ADDED for each selected object there is, BOOKMARK, then a line per change,
    /// until cancelled or the daemon goes away.
    /// </summary>
    public async IAsyncEnumerable<WatchEventView> WatchAsync(string plural, string? selector, string? name, [EnumeratorCancellation] CancellationToken ct)
    {
        var only = name is null ? "" : $"&fieldSelector={Uri.EscapeDataString("metadata.name=" + name)}";
        await foreach (var line in StreamLinesAsync($"{Prefix}{plural}?watch=true{Query(selector, "&")}{only}", ct))
            if (line.Length > 0) yield return JsonSerializer.Deserialize(line, ApiJson.Context.WatchEventView)!;
    }

    /// <summary><c>?labelSelector=S</c> (or <paramref name="separator"/> for one that follows another parameter), or nothing.</summary>
    static string Query(string? selector, string separator = "?") =>
        string.IsNullOrEmpty(selector) ? "" : $"{separator}labelSelector={Uri.EscapeDataString(selector)}";

    public async Task<ObjectView> GetAsync(string plural, string name, CancellationToken ct) =>
        JsonSerializer.Deserialize(await GetRawAsync(plural, name, ct), ApiJson.Context.ObjectView)!;

    /// <summary>Applies (or with <paramref name="dryRun"/> previews) every object of a YAML text; problems come back in the result.</summary>
    public async Task<ApplyResultView> ApplyAsync(string yaml, string source, bool dryRun, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{Prefix}apply?source={Uri.EscapeDataString(source)}{(dryRun ? "&dryRun=true" : "")}")
        {
            Content = new StringContent(yaml, Encoding.UTF8, "application/yaml"),
        };
        using var response = await SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        // Every answer with an ApplyResult says per object what happened (a 507 for a full disk under the daemon's state too).
        if (body.Contains("\"ApplyResult\""))
            return JsonSerializer.Deserialize(body, ApiJson.Context.ApplyResultView)!;
        throw Failure(response, body);
    }

    /// <summary>
    /// What the daemon would do with these manifest files as <paramref name="owner"/>'s (files, source/NAME, api; null:
    /// the daemon infers it), changing nothing; <paramref name="whole"/>: they are the owner's whole tree.
    /// </summary>
    public async Task<ApplyResultView> PreviewAsync(IReadOnlyList<(string Path, string Text)> files, string? owner, bool whole, CancellationToken ct)
    {
        var view = new PreviewRequestView(ApiJson.ApiVersion, PreviewRequestView.KindName, owner, whole, [.. files.Select(f => new ManifestFileView(f.Path, f.Text))]);
        var request = new HttpRequestMessage(HttpMethod.Post, $"{Prefix}preview")
        {
            Content = new StringContent(JsonSerializer.Serialize(view, ApiJson.Context.PreviewRequestView), Encoding.UTF8, "application/json"),
        };
        using var response = await SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.UnprocessableEntity && body.Contains("\"ApplyResult\""))
            return JsonSerializer.Deserialize(body, ApiJson.Context.ApplyResultView)!;
        throw Failure(response, body);
    }

    /// <summary>
    /// Creates one object from its manifest (YAML or JSON) unless its name is taken: Kubernetes' create, which never
    /// replaces anything. A taken name is a <see cref="ClientException"/> with reason AlreadyExists.
    /// </summary>
    public async Task<ObjectView> CreateAsync(string plural, string manifest, string source, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{Prefix}{plural}?source={Uri.EscapeDataString(source)}")
        {
            Content = new StringContent(manifest, Encoding.UTF8, "application/yaml"),
        };
        using var response = await SendAsync(request, ct);
        return JsonSerializer.Deserialize(await ReadAsync(response, ct), ApiJson.Context.ObjectView)!;
    }

    /// <summary>The object, or null when there is none (404).</summary>
    public async Task<ObjectView?> FindAsync(string plural, string name, CancellationToken ct)
    {
        try { return await GetAsync(plural, name, ct); }
        catch (ClientException e) when (e.Reason == "NotFound") { return null; }
    }

    public async Task<StatusView> DeleteAsync(string plural, string name, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"{Prefix}{plural}/{Uri.EscapeDataString(name)}"), ct);
        return JsonSerializer.Deserialize(await ReadAsync(response, ct), ApiJson.Context.StatusView)!;
    }

    public async Task<IReadOnlyList<EventView>> EventsAsync(CancellationToken ct, string? selector = null) =>
        JsonSerializer.Deserialize(await GetRawAsync("events", null, ct, selector), ApiJson.Context.EventListView)!.Items;

    /// <summary>
    /// The recorded events, then each new one; without <paramref name="history"/> only the new ones, heard from the
    /// moment <paramref name="answered"/> is called (the daemon subscribes before it answers).
    /// </summary>
    public async IAsyncEnumerable<EventView> WatchEventsAsync([EnumeratorCancellation] CancellationToken ct, string? selector = null, bool history = true,
        Action? answered = null)
    {
        await foreach (var line in StreamLinesAsync(Prefix + "events?watch=true" + (history ? "" : "&history=false") + Query(selector, "&"), ct, answered))
            if (line.Length > 0) yield return JsonSerializer.Deserialize(line, ApiJson.Context.EventView)!;
    }

    /// <summary>The isle's log entries (<see cref="IsleLogQuery"/>); the times go as RFC 3339 with nanoseconds.</summary>
    public async IAsyncEnumerable<LogEntryView> LogAsync(string name, IsleLogQuery query, [EnumeratorCancellation] CancellationToken ct)
    {
        var path = $"{Prefix}isles/{Uri.EscapeDataString(name)}/log?follow={(query.Follow ? "true" : "false")}"
            + (query.Tail is { } n ? $"&tail={n}" : "")
            + (query.Since is { } since ? $"&since={Uri.EscapeDataString(LogTime.Format(since))}" : "")
            + (query.Until is { } until ? $"&until={Uri.EscapeDataString(LogTime.Format(until))}" : "");
        await foreach (var line in StreamLinesAsync(path, ct))
            if (line.Length > 0) yield return JsonSerializer.Deserialize(line, ApiJson.Context.LogEntryView)!;
    }

    async IAsyncEnumerable<string> StreamLinesAsync(string path, [EnumeratorCancellation] CancellationToken ct, Action? answered = null)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), ct, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode) throw Failure(response, await response.Content.ReadAsStringAsync(ct));
        answered?.Invoke();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct), Encoding.UTF8);
        while (await ReadLineAsync(reader, ct) is { } line) yield return line;
    }

    static async Task<string?> ReadLineAsync(StreamReader reader, CancellationToken ct)
    {
        try { return await reader.ReadLineAsync(ct); }
        catch (IOException) when (!ct.IsCancellationRequested) { return null; } // the daemon went away mid-stream
    }

    async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            return await _http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException se)
        {
            throw Unreachable(se.SocketErrorCode);
        }
        catch (SocketException se)
        {
            throw Unreachable(se.SocketErrorCode);
        }
    }

    ClientException Unreachable(SocketError error) => Unreachable(SocketPath, error);

    /// <summary>What to say when islanderd's socket cannot be connected to.</summary>
    internal static ClientException Unreachable(string socketPath, SocketError error) => error switch
    {
        SocketError.AccessDenied => new ClientException(
            $"permission denied connecting to islanderd at {socketPath}: run as root, or as a member of the socket's group", "Unavailable"),
        _ => new ClientException(
            $"cannot connect to islanderd at {socketPath}: is it running? start it with `sudo islanderd` (or `systemctl start islanderd`), " +
            "or point --socket / ISLANDER_SOCKET at its socket", "Unavailable"),
    };

    static async Task<string> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        return response.IsSuccessStatusCode ? body : throw Failure(response, body);
    }

    static ClientException Failure(HttpResponseMessage response, string body) =>
        Failure((int)response.StatusCode, response.ReasonPhrase, body);

    /// <summary>An error answer (a Status object, else its code) as the exception to print.</summary>
    internal static ClientException Failure(int code, string? reasonPhrase, string body)
    {
        StatusView? status = null;
        try { status = JsonSerializer.Deserialize(body, ApiJson.Context.StatusView); }
        catch (JsonException) { }
        var message = status?.Message is { Length: > 0 } m ? m : $"islanderd answered {code} {reasonPhrase}";
        return new ClientException(message, status?.Reason ?? ((HttpStatusCode)code).ToString(), 1, status?.Details);
    }

    public void Dispose() => _http.Dispose();
}
