using System.Text;
using Islander.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

using static Islander.Controller.Api.ApiErrors;

namespace Islander.Controller.Api;

/// <summary>
/// Reads a request body of manifests or JSON, at most <see cref="ManifestLimits.MaxFileBytes"/>: a larger one is
/// answered 413 when its Content-Length says so, or as soon as that many bytes have arrived, so a 50 MB body is
/// never held in memory. Kestrel's own limit (the same, set in DaemonHost) guards the endpoints that do not read
/// through here; this reader lifts it for its request, to read and drop the rest of a refused body.
/// </summary>
internal static class RequestBody
{
    /// <summary>
    /// How much of a refused body is read and dropped so the client hears the 413 (a client still sending when the
    /// connection closes sees only "broken pipe"); past this the connection is closed.
    /// </summary>
    const long MaxDiscard = 1L << 30;

    public static async Task<(byte[]? Bytes, IResult? Error)> ReadBytesAsync(HttpRequest request)
    {
        const int limit = ManifestLimits.MaxFileBytes;
        var ct = request.HttpContext.RequestAborted;
        long seen = 0;
        // After the answer is sent, when the body, its text and its tree are garbage.
        request.HttpContext.Response.OnCompleted(() =>
        {
            Hosting.LargeInputMemory.Release(Math.Max(seen, request.ContentLength ?? 0));
            return Task.CompletedTask;
        });
        // This reader keeps the limit itself, so it can answer with a message and drop the rest of the body.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            feature.MaxRequestBodySize = null;
        if (request.ContentLength > limit)
        {
            await DiscardAsync(request, 0, ct);
            return (null, TooLarge(request.ContentLength.Value));
        }
        var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 1 << 16);
        var chunk = new byte[1 << 16];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            seen += n;
            if (buffer.Length + n > limit)
            {
                var read = buffer.Length + n;
                buffer = null;
                await DiscardAsync(request, read, ct);
                return (null, TooLarge(null));
            }
            buffer.Write(chunk, 0, n);
        }
        return (buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray(), null);
    }

    static async Task DiscardAsync(HttpRequest request, long read, CancellationToken ct)
    {
        var chunk = new byte[1 << 16];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            read += n;
            if (read > MaxDiscard)
            {
                request.HttpContext.Abort();
                return;
            }
        }
    }

    public static async Task<(string? Text, IResult? Error)> ReadTextAsync(HttpRequest request)
    {
        var (bytes, error) = await ReadBytesAsync(request);
        if (bytes is null) return (null, error);
        var text = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true).ReadToEnd();
        return (text, null);
    }

    static IResult TooLarge(long? length) => Error(413, "RequestEntityTooLarge",
        $"the body is {(length is { } l ? ByteSize.Format(l) : "larger than that")}; the API takes at most {ByteSize.Format(ManifestLimits.MaxFileBytes)} of manifests or JSON "
        + $"(and one object at most {ByteSize.Format(ManifestLimits.MaxObjectBytes)}); split the manifests into several files and apply them one by one");
}
