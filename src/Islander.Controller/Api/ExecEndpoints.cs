using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Islander.Controller.Desired;
using Islander.Controller.Lifecycle;
using Islander.Controller.Ports;
using Islander.Controller.State;
using Islander.Drivers.Runtime;
using Islander.Model;
using Islander.Model.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

using static Islander.Controller.Api.ApiErrors;

namespace Islander.Controller.Api;

/// <summary>
/// <c>POST /apis/islander.io/v1/isles/{name}/exec</c> with <c>{"command":[...], "env":["K=V"], "user":"u", "workingDir":"/d"}</c>:
/// runs the command in the running isle and streams NDJSON frames, <c>{"stream":"stdout"|"stderr","data":BASE64}</c>, then
/// <c>{"exitCode":N,"signal":S}</c>. Whatever fails before the process runs is an ordinary error Status: 404 no such isle,
/// 409 not running, 422 CommandNotFound / CommandNotExecutable (the command could not be executed).
/// Closing the connection kills the process.
/// <para>With <c>Connection: Upgrade</c> and <c>Upgrade: tcp</c> (and the fields in the query, <see cref="ReadQuery"/>),
/// stdin (<c>stdin=true</c>) and a terminal (<c>tty=true</c>) too: <c>101</c> once the process runs, then the frames of
/// <see cref="StreamSession"/>. Without the upgrade, stdin or tty is a 400 that says to upgrade.</para>
/// </summary>
public static class ExecEndpoints
{
    public static void Map(IEndpointRouteBuilder app) => app.MapPost(ApiEndpoints.Prefix + "/isles/{name}/exec", ExecAsync);

    static async Task ExecAsync(string name, HttpContext context, DesiredStore desired, StateStore store)
    {
        var ct = context.RequestAborted;
        var record = store.GetIsle(name);
        if (desired.Get(ObjectKey.Isle(name)) is null && record is null)
        {
            await NotFound(ObjectKey.Isle(name)).ExecuteAsync(context);
            return;
        }
        if (context.RequestServices.GetService<IIsleExec>() is not { } exec)
        {
            await ErrorAsync(context, 501, "Unsupported", "this islanderd has no exec");
            return;
        }
        bool upgrade = StreamSession.IsRequested(context);
        var (request, problem) = upgrade ? ReadQuery(context.Request) : await ReadRequestAsync(context.Request, ct);
        if (request is null)
        {
            await ErrorAsync(context, problem!.Value.Code, problem.Value.Reason, problem.Value.Message);
            return;
        }
        if (record?.State != IslePhase.Running)
        {
            await NotRunning(name, record, "exec").ExecuteAsync(context);
            return;
        }
        if (upgrade)
        {
            await StreamAsync(context, exec, name, request);
            return;
        }

        // The response starts with the first output (or the end): until then a failure is still an error Status.
        var response = context.Response;
        async ValueTask StartAsync()
        {
            if (response.HasStarted) return;
            response.StatusCode = 200;
            response.ContentType = "application/x-ndjson";
            await response.StartAsync(ct);
        }
        try
        {
            var result = await exec.ExecAsync(name, request, async (stream, data, token) =>
            {
                await StartAsync();
                var frame = new ExecFrameView(stream == ExecStream.Stdout ? "stdout" : "stderr", Convert.ToBase64String(data.Span));
                await response.WriteAsync(Line(frame), token);
                await response.Body.FlushAsync(token);
            }, null, ct);
            await StartAsync();
            await response.WriteAsync(Line(new ExecFrameView(ExitCode: result.ExitCode, Signal: result.Signal)), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away (Ctrl-C): the process has been killed.
        }
        catch (IslanderException e) when (!response.HasStarted)
        {
            var (code, reason) = e switch
            {
                IsleExecException { CommandFailed: true } x => (422, x.CommandNotFound ? IsleCommandException.NotFoundReason : IsleCommandException.NotExecutableReason),
                _ => (ApiErrors.StatusCode(e.Category), e.Category.ToString()),
            };
            await ErrorAsync(context, code, reason, e.Message);
        }
        catch (IslanderException e)
        {
            // Output was sent already: the end is a frame too, with Docker's code for "islander failed".
            await response.WriteAsync(Line(new ExecFrameView(ExitCode: 125, Reason: e.Category.ToString(), Message: e.Message)), ct);
        }
    }

    /// <summary>
    /// The upgraded exec: <c>101 Switching Protocols</c> once the process runs (what fails before is an error Status, as
    /// without the upgrade), then <see cref="StreamSession"/>'s frames, the exit frame last. The client going away kills
    /// the process (as closing a terminal ends its session).
    /// </summary>
    static async Task StreamAsync(HttpContext context, IIsleExec exec, string name, ExecRequest request)
    {
        StreamSession? session = null;
        using var gone = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        try
        {
            var result = await exec.ExecAsync(name, request,
                (stream, data, token) => session!.OutputAsync(stream == ExecStream.Stderr ? StreamKind.Stderr : StreamKind.Stdout, data, token),
                async (input, token) =>
                {
                    session = await StreamSession.AcceptAsync(context);
                    session.Gone.Register(gone.Cancel);
                    _ = session.ReceiveAsync(input);
                }, gone.Token);
            await session!.EndAsync(new ExecFrameView(ExitCode: result.ExitCode, Signal: result.Signal));
        }
        catch (OperationCanceledException) when (gone.IsCancellationRequested)
        {
            // The client went away: the process has been killed.
        }
        catch (IslanderException e) when (session is null)
        {
            var (code, reason) = e switch
            {
                IsleExecException { CommandFailed: true } x => (422, x.CommandNotFound ? IsleCommandException.NotFoundReason : IsleCommandException.NotExecutableReason),
                _ => (ApiErrors.StatusCode(e.Category), e.Category.ToString()),
            };
            await ErrorAsync(context, code, reason, e.Message);
        }
        catch (IslanderException e)
        {
            await session!.EndAsync(new ExecFrameView(ExitCode: 125, Reason: e.Category.ToString(), Message: e.Message));
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // The client stopped reading (its connection broke): the process has been killed.
        }
        finally
        {
            session?.Dispose();
        }
    }

    /// <summary>
    /// An upgraded exec's fields, from the query (Kestrel, as HTTP/1.1 wants, refuses a body on a request that asks to
    /// upgrade; Kubernetes' exec takes its fields the same way): <c>command</c> and <c>env</c> repeated, <c>user</c>,
    /// <c>workingDir</c>, <c>stdin</c>, <c>tty</c> (true/false), and the terminal's size at start, <c>rows</c> and <c>cols</c>.
    /// </summary>
    static (ExecRequest? Request, (int Code, string Reason, string Message)? Problem) ReadQuery(HttpRequest http)
    {
        var q = http.Query;
        var body = new JsonObject
        {
            ["command"] = new JsonArray([.. q["command"].Select(c => (JsonNode?)c)]),
            ["env"] = new JsonArray([.. q["env"].Select(e => (JsonNode?)e)]),
            ["user"] = q["user"].FirstOrDefault(),
            ["workingDir"] = q["workingDir"].FirstOrDefault(),
        };
        var (request, problem) = Parse(body);
        if (request is null)
            return (null, problem);
        bool Flag(string key) => q[key].FirstOrDefault() is { } v && (v == "true" || v == "1");
        TerminalSize? size = null;
        if (q["rows"].FirstOrDefault() is { } r || q["cols"].FirstOrDefault() is not null)
        {
            var view = new TerminalSizeView(Number(q["rows"].FirstOrDefault()), Number(q["cols"].FirstOrDefault()));
            if (!view.IsValid)
                return (null, (422, Reasons.InvalidManifest, $"exec: rows={q["rows"]} cols={q["cols"]} is not a terminal size (1 to {ushort.MaxValue} each)"));
            size = new TerminalSize((ushort)view.Rows, (ushort)view.Cols);
        }
        return (request with { Stdin = Flag("stdin"), Tty = Flag("tty"), Size = size }, null);
    }

    static int Number(string? text) => int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) ? n : 0;

    static async Task<(ExecRequest? Request, (int Code, string Reason, string Message)? Problem)> ReadRequestAsync(HttpRequest http, CancellationToken ct)
    {
        JsonNode? body;
        var (bytes, _) = await RequestBody.ReadBytesAsync(http);
        if (bytes is null) return (null, (413, "RequestEntityTooLarge", $"exec: the body is too large; it may be at most {ByteSize.Format(ManifestLimits.MaxFileBytes)}: pass large data through a volume, not the command line"));
        try
        {
            // System.Text.Json's default depth (64) stops a body of 100 000 '[' with a JsonException, not a stack overflow.
            body = JsonNode.Parse(bytes);
        }
        catch (JsonException e) when (NestedDeeperThan(bytes, ManifestLimits.MaxDepth))
        {
            return (null, (422, Reasons.InvalidManifest, $"exec: the body nests lists and objects more than {ManifestLimits.MaxDepth} levels deep ({e.Message}); exec takes {{\"command\": [...], \"env\": [...]}}"));
        }
        catch (JsonException e)
        {
            return (null, (400, "BadRequest", $"exec: the body is not JSON: {e.Message}"));
        }
        return Parse(body, refuseStreams: true);
    }

    static (ExecRequest? Request, (int Code, string Reason, string Message)? Problem) Parse(JsonNode? body, bool refuseStreams = false)
    {
        try
        {
            var command = body?["command"]?.AsArray().Select(Text).ToList() ?? [];
            if (command.Count == 0 || command[0].Length == 0)
                return (null, (422, Reasons.InvalidManifest, "exec needs a command: islanderctl exec NAME -- COMMAND [ARGS...]"));
            if (refuseStreams && (body?["tty"]?.GetValue<bool>() == true || body?["stdin"]?.GetValue<bool>() == true))
                return (null, (400, "BadRequest", "exec with stdin (-i) or a terminal (-t) streams over an upgraded connection: send the request with "
                    + "Connection: Upgrade and Upgrade: tcp, its fields as query parameters (islanderctl exec -i/-t does)"));
            var env = body?["env"]?.AsArray().Select(Text).ToList() ?? [];
            if (env.FirstOrDefault(e => e.IndexOf('=') <= 0) is { } bad)
                return (null, (422, Reasons.InvalidManifest, $"exec: env entry \"{ManifestLimits.Excerpt(bad)}\" is not NAME=value"));
            var workingDir = (string?)body?["workingDir"];
            if (workingDir is not null && !workingDir.StartsWith('/'))
                return (null, (422, Reasons.InvalidManifest, $"exec: working directory \"{ManifestLimits.Excerpt(workingDir)}\" is not absolute"));
            return (new ExecRequest { Command = command, Env = env, User = (string?)body?["user"] is { Length: > 0 } u ? u : null, WorkingDir = workingDir }, null);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            return (null, (400, "BadRequest", $"exec: command and env are lists of strings, user and workingDir strings, stdin and tty booleans: {e.Message}"));
        }
    }

    /// <summary>Whether the JSON text opens more than <paramref name="max"/> lists or objects at once (strings skipped).</summary>
    static bool NestedDeeperThan(byte[] json, int max)
    {
        int depth = 0;
        bool inString = false, escaped = false;
        foreach (var b in json)
        {
            if (inString)
            {
                if (escaped) escaped = false;
                else if (b == '\\') escaped = true;
                else if (b == '"') inString = false;
            }
            else if (b == '"') inString = true;
            else if (b is (byte)'[' or (byte)'{' && ++depth > max) return true;
            else if (b is (byte)']' or (byte)'}') depth--;
        }
        return false;
    }

    static string Line(ExecFrameView frame) => JsonSerializer.Serialize(frame, ApiJson.Context.ExecFrameView) + "\n";

    static string Text(JsonNode? node) => node?.GetValue<string>() ?? throw new FormatException("null is not a string");

    static Task ErrorAsync(HttpContext context, int code, string reason, string message) => Error(code, reason, message).ExecuteAsync(context);
}
