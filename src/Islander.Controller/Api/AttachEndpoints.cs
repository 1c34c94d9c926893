using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
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
using Microsoft.Extensions.Hosting;

using static Islander.Controller.Api.ApiErrors;

namespace Islander.Controller.Api;

/// <summary>
/// <c>POST /apis/islander.io/v1/isles/{name}/attach[?rows=R&amp;cols=C]</c>, upgraded as an exec with a terminal
/// (<see cref="StreamSession"/>): attaches to the running isle's PID 1, whose spec asks for <c>stdin</c> or <c>tty</c>,
/// as <c>docker attach</c>. The daemon only splices: the isle's shim holds its terminal or stdin and copies its output
/// to the daemon's connection (<see cref="IsleAttachConnection"/>), which queues it for the client up to a bound and
/// then stops reading, so a slow client holds the isle's output back, never a thread of the daemon. The client leaving
/// (Ctrl-P Ctrl-Q) or the daemon stopping ends the connection, not the isle. The exit frame comes when PID 1 ends.
/// Errors before the upgrade are Status answers: 404 no such isle, 400 no upgrade asked for, 409 not running or
/// neither stdin nor tty.
/// </summary>
public static class AttachEndpoints
{
    public static void Map(IEndpointRouteBuilder app) => app.MapPost(ApiEndpoints.Prefix + "/isles/{name}/attach", AttachAsync);

    static async Task AttachAsync(string name, HttpContext context, DesiredStore desired, StateStore store, IHostApplicationLifetime lifetime)
    {
        var record = store.GetIsle(name);
        var entry = desired.Get(ObjectKey.Isle(name));
        if (entry is null && record is null)
        {
            await NotFound(ObjectKey.Isle(name)).ExecuteAsync(context);
            return;
        }
        if (!StreamSession.IsRequested(context))
        {
            await Error(400, "BadRequest", "attach streams over an upgraded connection: send Connection: Upgrade and Upgrade: tcp (islanderctl attach does)").ExecuteAsync(context);
            return;
        }
        if (record?.State != IslePhase.Running)
        {
            await NotRunning(name, record, "attach").ExecuteAsync(context);
            return;
        }
        // The spec the isle runs with: a desired spec not yet applied (another hash) may say otherwise.
        var spec = entry?.Object is { } o && o.SpecHash == record.SpecHash ? o.Isle : null;
        if (spec is not ({ Stdin: true } or { Tty: true }))
        {
            await Error(409, "Conflict", $"isle {name} runs with neither stdin nor a tty, so there is nothing to attach to; set stdin: true or tty: true " +
                $"in its spec (islanderctl run -i/-t), or follow its output with islanderctl logs -f {name}").ExecuteAsync(context);
            return;
        }
        if (context.RequestServices.GetService<IIsleAttach>() is not { } attach)
        {
            await Error(501, "Unsupported", "this islanderd cannot attach").ExecuteAsync(context);
            return;
        }
        IsleAttachConnection shim;
        try
        {
            shim = await attach.AttachAsync(name, spec.Stdin, spec.Tty, context.RequestAborted);
        }
        catch (IslanderException e)
        {
            await Error(e).ExecuteAsync(context);
            return;
        }
        using (shim)
        {
            if (spec.Tty && Size(context.Request) is { } size)
                shim.Resize(size.Rows, size.Cols); // before the first output: the shell's first prompt fits
            using var session = await StreamSession.AcceptAsync(context);
            using var gone = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, session.Gone, lifetime.ApplicationStopping);
            _ = session.ReceiveAsync(shim);
            ExecFrameView end;
            try
            {
                end = await SpliceAsync(shim, session, name, gone.Token);
            }
            catch (Exception e) when (gone.IsCancellationRequested && e is OperationCanceledException or ChannelClosedException)
            {
                return; // the client detached or left, or the daemon stops: the isle runs on
            }
            await session.EndAsync(end);
        }
    }

    /// <summary>The isle's output to the client until the shim's exit frame; what the end frame says.</summary>
    static async Task<ExecFrameView> SpliceAsync(IsleAttachConnection shim, StreamSession session, string name, CancellationToken ct)
    {
        try
        {
            while (await shim.ReceiveAsync(ct) is { } frame)
            {
                if (frame.Stream == 3)
                {
                    var exit = IsleExitStatus.Parse(Encoding.UTF8.GetString(frame.Data));
                    return new ExecFrameView(ExitCode: exit.ExitCode, Signal: exit.Signal, Reason: exit.OomKilled ? Reasons.OomKilled : null);
                }
                await session.OutputAsync(frame.Stream == 2 ? StreamKind.Stderr : StreamKind.Stdout, frame.Data, ct);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidDataException or FormatException)
        {
            return Lost(name, e.Message);
        }
        return Lost(name, "it closed the connection");
    }

    static ExecFrameView Lost(string name, string why) =>
        new(ExitCode: 125, Reason: Reasons.Lost, Message: $"the shim of isle {name} ended the attach without the isle's exit status: {why}");

    /// <summary>The client's terminal size at attach (<c>rows</c>, <c>cols</c>), when both are valid.</summary>
    static (ushort Rows, ushort Cols)? Size(HttpRequest request) =>
        ushort.TryParse(request.Query["rows"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out ushort rows)
        && ushort.TryParse(request.Query["cols"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out ushort cols)
        && rows > 0 && cols > 0 ? (rows, cols) : null;
}
