using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Islander.Drivers.Images;

namespace Islander.Drivers.Tests.Images;

/// <summary>
/// An in-memory distribution-API registry behind an HttpMessageHandler: manifests by tag and
/// digest, blobs with Range support, and optional Basic or Bearer (token endpoint at
/// https://auth.test/token) authorization. Faults are injected per blob.
/// </summary>
public sealed class FakeRegistry : HttpMessageHandler
{
    public enum AuthMode { None, Basic, Bearer }

    readonly Dictionary<string, (byte[] Body, string MediaType)> manifests = new();
    readonly Dictionary<string, byte[]> blobs = new();
    int tokens;

    public AuthMode Auth { get; set; }
    public (string User, string Password)? Account { get; set; }
    public bool IgnoreRange { get; set; }

    /// <summary>Blobs served with different bytes than their digest says.</summary>
    public HashSet<string> Corrupt { get; } = [];

    /// <summary>Blobs whose next response breaks after this many bytes (once).</summary>
    public Dictionary<string, int> DropAfter { get; } = new();

    public List<string> Log { get; } = [];
    public List<string> TokenScopes { get; } = [];

    public void AddManifest(string repo, string reference, byte[] body, string mediaType) => manifests[$"{repo}:{reference}"] = (body, mediaType);
    public void AddBlob(byte[] body) => blobs[Digest.Of(body).ToString()] = body;

    /// <summary>Pushes an image: its blobs, its manifest by digest and by <paramref name="tag"/>.</summary>
    public void Push(string repo, string tag, TestImage image)
    {
        AddBlob(image.Config);
        foreach (var layer in image.Layers)
            AddBlob(layer);
        AddManifest(repo, image.ManifestDigest.ToString(), image.Manifest, MediaTypes.OciManifest);
        AddManifest(repo, tag, image.Manifest, MediaTypes.OciManifest);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var uri = request.RequestUri!;
        lock (Log)
            Log.Add($"{request.Method} {uri}{(request.Headers.Range is { } r ? " " + r : "")}");
        if (uri.Host == "auth.test")
            return Token(request);
        if (!Authorized(request))
        {
            var response = Error(HttpStatusCode.Unauthorized, "UNAUTHORIZED", "authentication required");
            response.Headers.WwwAuthenticate.Add(Auth == AuthMode.Basic
                ? new AuthenticationHeaderValue("Basic", "realm=\"fake\"")
                : new AuthenticationHeaderValue("Bearer", "realm=\"https://auth.test/token\",service=\"fake-registry\""));
            return response;
        }
        string path = uri.AbsolutePath;
        if (path == "/v2/")
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") };
        int m = path.IndexOf("/manifests/", StringComparison.Ordinal);
        if (m > 0)
        {
            string key = $"{path[4..m]}:{path[(m + 11)..]}";
            if (!manifests.TryGetValue(key, out var manifest))
                return Error(HttpStatusCode.NotFound, "MANIFEST_UNKNOWN", "manifest unknown");
            var content = new ByteArrayContent(manifest.Body);
            content.Headers.ContentType = new MediaTypeHeaderValue(manifest.MediaType);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        }
        int b = path.IndexOf("/blobs/", StringComparison.Ordinal);
        if (b > 0)
        {
            string digest = path[(b + 7)..];
            if (!blobs.TryGetValue(digest, out var blob))
                return Error(HttpStatusCode.NotFound, "BLOB_UNKNOWN", "blob unknown to registry");
            if (Corrupt.Contains(digest))
                blob = blob.Select(x => (byte)(x ^ 0xff)).ToArray();
            long from = !IgnoreRange && request.Headers.Range?.Ranges.FirstOrDefault()?.From is { } f ? f : 0;
            var body = blob.AsMemory((int)from).ToArray();
            Stream stream = new MemoryStream(body);
            if (DropAfter.Remove(digest, out int after))
                stream = new BreakingStream(body, after);
            var response = new HttpResponseMessage(from > 0 ? HttpStatusCode.PartialContent : HttpStatusCode.OK) { Content = new StreamContent(stream) };
            response.Content.Headers.ContentLength = body.Length;
            return response;
        }
        return Error(HttpStatusCode.NotFound, "NAME_UNKNOWN", "repository name not known to registry");
    }

    bool Authorized(HttpRequestMessage request)
    {
        var header = request.Headers.Authorization;
        return Auth switch
        {
            AuthMode.None => true,
            AuthMode.Basic => header?.Scheme == "Basic" && Account is { } a
                && header.Parameter == Convert.ToBase64String(Encoding.UTF8.GetBytes($"{a.User}:{a.Password}")),
            _ => header?.Scheme == "Bearer" && header.Parameter?.StartsWith("tok-", StringComparison.Ordinal) == true,
        };
    }

    HttpResponseMessage Token(HttpRequestMessage request)
    {
        var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri!.Query);
        lock (TokenScopes)
            TokenScopes.Add($"{query["service"]} {query["scope"]}");
        if (Account is { } a)
        {
            var header = request.Headers.Authorization;
            if (header?.Scheme != "Basic" || header.Parameter != Convert.ToBase64String(Encoding.UTF8.GetBytes($"{a.User}:{a.Password}")))
                return Error(HttpStatusCode.Unauthorized, "UNAUTHORIZED", "incorrect username or password");
        }
        return new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(JsonSerializer.Serialize(new { token = $"tok-{Interlocked.Increment(ref tokens)}", expires_in = 300 })),
        };
    }

    static HttpResponseMessage Error(HttpStatusCode status, string code, string message) => new(status)
    {
        Content = new StringContent(JsonSerializer.Serialize(new { errors = new[] { new { code, message } } }), Encoding.UTF8, "application/json"),
    };

    /// <summary>Serves <c>after</c> bytes, then fails as a reset connection does.</summary>
    sealed class BreakingStream(byte[] data, int after) : Stream
    {
        int position;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (position >= after)
                throw new IOException("connection reset by peer");
            int n = Math.Min(buffer.Length, Math.Min(after, data.Length) - position);
            data.AsSpan(position, n).CopyTo(buffer);
            position += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>An OCI image built in memory: gzip layers, a config with process defaults, a manifest.</summary>
public sealed record TestImage(byte[] Config, byte[] Manifest, IReadOnlyList<byte[]> Layers, IReadOnlyList<byte[]> Tars)
{
    public Digest ManifestDigest => Digest.Of(Manifest);
    public Digest ConfigDigest => Digest.Of(Config);

    public static TestImage Build(IReadOnlyList<byte[]> tars, string[]? cmd = null, string[]? env = null, string? workdir = null, string? user = null,
        Func<byte[], byte[]>? compress = null, string layerMediaType = MediaTypes.OciLayerGzip)
    {
        compress ??= TestTar.Gzip;
        var layers = tars.Select(compress).ToList();
        var config = JsonSerializer.SerializeToUtf8Bytes(new
        {
            architecture = PlatformSelector.Current.Architecture,
            os = "linux",
            config = new { Cmd = cmd ?? ["/bin/sh"], Env = env ?? ["PATH=/bin"], WorkingDir = workdir ?? "", User = user ?? "" },
            rootfs = new { type = "layers", diff_ids = tars.Select(t => Digest.Of(t).ToString()).ToArray() },
        });
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = MediaTypes.OciManifest,
            config = new { mediaType = MediaTypes.OciConfig, digest = Digest.Of(config).ToString(), size = config.Length },
            layers = layers.Select(l => new { mediaType = layerMediaType, digest = Digest.Of(l).ToString(), size = l.Length }).ToArray(),
        });
        return new TestImage(config, manifest, layers, tars);
    }
}
