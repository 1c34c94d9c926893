using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Islander.Controller.Hosting;
using Islander.Controller.Images;
using Islander.Drivers.Images;
using Islander.Drivers.Runtime;
using Islander.Drivers.Storage;
using Islander.Model;
using Islander.Model.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using static Islander.Controller.Api.ApiErrors;

namespace Islander.Controller.Api;

/// <summary>
/// Images under <c>/apis/islander.io/v1/images</c>:
/// <list type="bullet">
/// <item><c>GET images</c>: an ImageList; <c>GET images/{ref}</c>: one Image (ref may hold '/' and ':', e.g. <c>localhost:5000/team/app:1.2</c>, or an id prefix).</item>
/// <item><c>POST images/pull?reference=REF[&amp;insecure=true]</c>: newline-delimited JSON, one ImageProgress line per step
/// (<c>{"kind":"ImageProgress","item":"3f4a1b2c","phase":"Downloading","current":1024,"total":4096}</c>), the last line
/// the Image, or a Status (failure) whose code is what the HTTP status would have been. The response is 200 once streaming starts.</item>
/// <item><c>POST images/import?name=NAME</c>: the body is the tarball itself (root filesystem, <c>docker save</c> or OCI archive;
/// plain, gzip or zstd), uploaded, so islanderctl may run anywhere the socket reaches; answers the Image (201).</item>
/// <item><c>DELETE images/{ref}</c>: removes the name (or the image, by id); 409 Conflict while an isle uses the image.</item>
/// </list>
/// </summary>
public static class ImageEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        const string images = ApiEndpoints.Prefix + "/images";
        app.MapGet(images, List);
        app.MapPost(images + "/pull", PullAsync);
        app.MapPost(images + "/import", ImportAsync);
        app.MapGet(images + "/{**reference}", Inspect);
        app.MapDelete(images + "/{**reference}", Delete);
    }

    /// <summary>STATE/import: an import's tarball while it is uploaded and imported, removed after (finally).</summary>
    static string UploadDirectory(string state) => Path.Combine(state, "import");

    /// <summary>
    /// Removes the uploads of imports a crash (SIGKILL, power loss) cut off: their finally never ran, and a tarball is
    /// as large as a root filesystem. At startup, before the API listens, so no import of this daemon is in flight.
    /// </summary>
    public static void RemoveInterruptedUploads(string state)
    {
        var dir = UploadDirectory(state);
        if (!Directory.Exists(dir)) return;
        foreach (var upload in Directory.EnumerateFiles(dir, "upload-*.tar")) File.Delete(upload);
    }

    static IResult List(IsleImages images) => Guard(() =>
    {
        var items = images.Store.List().OrderBy(i => i.Names.FirstOrDefault() ?? "~" + i.Id, StringComparer.Ordinal);
        return Json(new ImageListView(ApiJson.ApiVersion, "ImageList", [.. items.Select(View)]), ApiJson.Context.ImageListView);
    });

    static IResult Inspect(string reference, IsleImages images) => Guard(() => Json(View(images.Store.Inspect(Unescape(reference))), ApiJson.Context.ImageView));

    static IResult Delete(string reference, IsleImages images, ILoggerFactory logs) => Guard(() =>
    {
        var removed = images.Remove(Unescape(reference));
        logs.CreateLogger("Islander.Controller.Images").LogInformation("Removed image {Removed}", removed);
        return Json(StatusView.Success(removed.StartsWith("sha256:", StringComparison.Ordinal) ? $"deleted {removed}" : $"untagged {removed}"), ApiJson.Context.StatusView);
    });

    static async Task PullAsync(HttpContext context, IsleImages images, ILoggerFactory logs)
    {
        var reference = context.Request.Query["reference"].FirstOrDefault();
        if (string.IsNullOrEmpty(reference))
        {
            await Error(400, "BadRequest", "pull needs ?reference=IMAGE").ExecuteAsync(context);
            return;
        }
        bool insecure = context.Request.Query["insecure"].FirstOrDefault() is "true" or "1";

        var log = logs.CreateLogger("Islander.Controller.Images");
        var ct = context.RequestAborted;
        context.Response.ContentType = "application/x-ndjson";
        await context.Response.StartAsync(ct);
        var lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        var pull = Task.Run(async () =>
        {
            try
            {
                var info = await images.PullAsync(reference, new PullOptions(insecure), new ChannelProgress(lines.Writer), ct);
                log.LogInformation("Pulled image {Image} from {Source}: {Id}", reference, info.PulledFrom, info.Id);
                lines.Writer.TryWrite(JsonSerializer.Serialize(View(info), ApiJson.Context.ImageView));
            }
            catch (IslanderException e)
            {
                log.LogWarning("Pull of {Image} failed: {Error}", reference, e.Message);
                lines.Writer.TryWrite(Failure(e.Category.ToString(), e.Message, ApiErrors.StatusCode(e.Category)));
            }
            catch (Exception e) when (e is IOException or HttpRequestException or TimeoutException && !ct.IsCancellationRequested)
            {
                log.LogWarning("Pull of {Image} failed: {Error}", reference, e.Message);
                lines.Writer.TryWrite(Failure("Transient", e.Message, 503));
            }
            finally
            {
                lines.Writer.TryComplete();
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var line in lines.Reader.ReadAllAsync(ct))
            {
                await context.Response.WriteAsync(line + "\n", ct);
                await context.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        try { await pull; }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { } // the client went away: the pull stops, its partial downloads stay for the next one
    }

    static async Task<IResult> ImportAsync(HttpContext context, IsleImages images, IOptions<DaemonOptions> options, ILoggerFactory logs)
    {
        var name = context.Request.Query["name"].FirstOrDefault();
        if (name is { Length: 0 }) name = null;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = null; // root filesystems are larger than Kestrel's 30 MB default
        var dir = UploadDirectory(options.Value.State);
        HostDirectory.Ensure(dir, HostDirectory.Private); // image content, as STATE/images
        var path = Path.Combine(dir, $"upload-{Guid.NewGuid():N}.tar");
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                await context.Request.Body.CopyToAsync(file, context.RequestAborted);
            if (new FileInfo(path).Length == 0)
                return Error(400, "BadRequest", "import needs the tarball as the request body");
            var info = await images.ImportAsync(path, name, null, context.RequestAborted);
            logs.CreateLogger("Islander.Controller.Images").LogInformation("Imported image {Name}: {Id}", name ?? "(unnamed)", info.Id);
            return Json(View(info), ApiJson.Context.ImageView, 201);
        }
        catch (IslanderException e) { return Error(e); }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The Image object: flat, as <c>docker image inspect</c>, with apiVersion and kind.</summary>
    public static ImageView View(ImageInfo i) => new(
        ApiJson.ApiVersion, "Image", i.Id, [.. i.Names], [.. i.RepoDigests], i.ManifestDigest, i.Created, i.Added, i.Os, i.Architecture, i.Size,
        [.. i.DiffIds], [.. i.SkippedDevices],
        new ImageConfigView([.. i.Config.Entrypoint], [.. i.Config.Cmd], [.. i.Config.Env], i.Config.WorkingDir, i.Config.User), i.PulledFrom);

    /// <summary>islanderctl escapes each path segment; a client that escaped the '/' too is understood as well.</summary>
    static string Unescape(string reference) => Uri.UnescapeDataString(reference);

    static IResult Guard(Func<IResult> body)
    {
        try { return body(); }
        catch (IslanderException e) { return Error(e); }
    }

    /// <summary>A failure as the last line of a stream: a Status whose code is what the HTTP status would have been.</summary>
    static string Failure(string reason, string message, int code) => JsonSerializer.Serialize(StatusView.Failure(reason, message, code), ApiJson.Context.StatusView);

    sealed class ChannelProgress(ChannelWriter<string> writer) : IProgress<ImageProgress>
    {
        public void Report(ImageProgress p) => writer.TryWrite(JsonSerializer.Serialize(
            new ImageProgressView(ImageProgressView.KindName, p.Item, p.Phase.ToString(), p.Current, p.Total), ApiJson.Context.ImageProgressView));
    }
}
