using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Islander.Model;

namespace Islander.Drivers.Images;

/// <summary>
/// One repository of one registry: fetches manifests and blobs, authorizing as the registry asks.
/// A 401 with <c>WWW-Authenticate: Bearer realm=…,service=…</c> sends us to the token endpoint
/// (with Basic credentials when we have them) for a <c>repository:NAME:pull</c> token; <c>Basic</c>
/// sends the credentials themselves. A token that expires mid-pull is renewed once per request.
/// </summary>
public sealed partial class RegistryRepository
{
    readonly HttpClient http;
    readonly Uri baseUri;
    readonly ImageReference reference;
    readonly string registry;
    readonly RegistryCredential? credential;
    readonly RegistryOptions options;
    readonly SemaphoreSlim authLock = new(1, 1);
    AuthenticationHeaderValue? authorization;
    AuthChallenge? challenge;

    internal RegistryRepository(HttpClient http, Uri baseUri, ImageReference reference, string registry, RegistryCredential? credential, RegistryOptions options)
    {
        this.http = http;
        this.baseUri = baseUri;
        this.reference = reference;
        this.registry = registry;
        this.credential = credential;
        this.options = options;
    }

    public ImageReference Reference => reference;

    /// <summary>The scheme and host spoken to, e.g. <c>http://127.0.0.1:5000/v2/</c>.</summary>
    public Uri BaseUri => baseUri;

    string Scope => $"repository:{reference.Repository}:pull";

    internal async Task PingAsync(CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, baseUri), "ping", ct);
        // 200 with or without authorization: the registry is there and we may talk to it.
    }

    /// <summary>
    /// GET /v2/NAME/manifests/REF with every manifest and index media type accepted. When REF is a
    /// digest the content is verified against it.
    /// </summary>
    public async Task<FetchedDocument> GetManifestAsync(string tagOrDigest, CancellationToken ct)
    {
        var uri = new Uri(baseUri, $"{reference.Repository}/manifests/{tagOrDigest}");
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, uri);
            foreach (var mt in MediaTypes.Manifests)
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mt));
            return request;
        }, $"manifest {reference.Repository}:{tagOrDigest}", ct);
        byte[] content = await ReadLimitedAsync(response, $"manifest {tagOrDigest}", ct);
        var digest = Digest.Of(content);
        if (Digest.TryParse(tagOrDigest, out var wanted) && wanted != digest)
            throw new DigestMismatchException($"manifest {reference.Repository}@{tagOrDigest}", wanted, digest.ToString());
        string? mediaType = response.Content.Headers.ContentType?.MediaType;
        if (!MediaTypes.IsIndex(mediaType) && !MediaTypes.IsManifest(mediaType))
            mediaType = OciJson.SniffMediaType(content);
        if (!MediaTypes.IsIndex(mediaType) && !MediaTypes.IsManifest(mediaType))
            throw new IslanderException(
                $"manifest {reference}: unsupported media type {mediaType ?? "(none)"} (schema 1 and artifacts are not images islander can run)",
                ErrorCategory.Unsupported);
        return new FetchedDocument(content, mediaType!, digest);
    }

    /// <summary>A small blob (an image config) in memory, verified against its descriptor.</summary>
    public async Task<byte[]> GetSmallBlobAsync(OciDescriptor descriptor, CancellationToken ct)
    {
        var digest = Digest.Parse(descriptor.Digest);
        if (descriptor.Size > options.MaxDocumentBytes)
            throw new IslanderException($"blob {digest} is {descriptor.Size} bytes, more than the {options.MaxDocumentBytes} allowed for a config", ErrorCategory.InvalidManifest);
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, BlobUri(digest)), $"blob {digest.Short}", ct);
        byte[] content = await ReadLimitedAsync(response, $"blob {digest}", ct);
        var actual = Digest.Of(content);
        if (actual != digest)
            throw new DigestMismatchException($"blob {reference.Repository}@{digest}", digest, actual.ToString());
        return content;
    }

    Uri BlobUri(Digest digest) => new(baseUri, $"{reference.Repository}/blobs/{digest}");

    async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength > options.MaxDocumentBytes)
            throw new IslanderException($"{what}: {response.Content.Headers.ContentLength} bytes is too large", ErrorCategory.InvalidManifest);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        int n;
        while ((n = await stream.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > options.MaxDocumentBytes)
                throw new IslanderException($"{what}: more than {options.MaxDocumentBytes} bytes", ErrorCategory.InvalidManifest);
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Sends a request built by <paramref name="build"/> (rebuilt for a retry), authorizing on a 401
    /// once. Returns only successful responses; the rest become <see cref="RegistryException"/>s
    /// carrying the registry's message.
    /// </summary>
    async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, string operation, CancellationToken ct, bool acceptRangeError = false)
    {
        for (int attempt = 0; ; attempt++)
        {
            using var request = build();
            var sentWith = authorization;
            if (sentWith is not null)
                request.Headers.Authorization = sentWith;
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            }
            catch (HttpRequestException e)
            {
                throw new RegistryException(registry, operation, null, null, e.Message, e);
            }
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
            {
                var header = response.Headers.WwwAuthenticate.ToString();
                var parsed = AuthChallenge.Parse(header);
                if (parsed is not null && (parsed.IsBearer || (parsed.IsBasic && credential is not null)))
                {
                    response.Dispose();
                    await AuthorizeAsync(parsed, sentWith, ct);
                    continue;
                }
            }
            if (response.IsSuccessStatusCode || (acceptRangeError && response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable))
                return response;
            using (response)
                throw await ErrorAsync(response, operation, ct);
        }
    }

    async Task<RegistryException> ErrorAsync(HttpResponseMessage response, string operation, CancellationToken ct)
    {
        byte[] body = [];
        try
        {
            body = await ReadLimitedAsync(response, operation, ct);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or IslanderException)
        {
            // The status alone still says what happened.
        }
        var parsed = RegistryException.ParseErrorBody(body);
        string message = parsed?.Message is { Length: > 0 } m ? m
            : response.StatusCode == HttpStatusCode.Unauthorized ? "authentication required"
            : response.ReasonPhrase ?? response.StatusCode.ToString();
        if (response.StatusCode == HttpStatusCode.Unauthorized && credential is null)
            message += " (no credentials for this registry in the credentials file)";
        return new RegistryException(registry, operation, response.StatusCode, parsed?.Code, message);
    }

    /// <summary>Sets <see cref="authorization"/> for the challenge, unless another request already renewed it.</summary>
    async Task AuthorizeAsync(AuthChallenge parsed, AuthenticationHeaderValue? sentWith, CancellationToken ct)
    {
        await authLock.WaitAsync(ct);
        try
        {
            if (!ReferenceEquals(authorization, sentWith))
                return;
            challenge = parsed;
            if (parsed.IsBasic)
            {
                authorization = new AuthenticationHeaderValue("Basic", credential!.BasicHeaderValue);
                return;
            }
            authorization = new AuthenticationHeaderValue("Bearer", await FetchTokenAsync(parsed, ct));
        }
        finally
        {
            authLock.Release();
        }
    }

    /// <summary>Docker's token flow: GET realm?service=S&amp;scope=repository:NAME:pull → {"token": …} (or "access_token").</summary>
    async Task<string> FetchTokenAsync(AuthChallenge parsed, CancellationToken ct)
    {
        string realm = parsed["realm"] ?? throw new RegistryException(registry, "authorize", HttpStatusCode.Unauthorized, null, "Bearer challenge without a realm");
        if (!Uri.TryCreate(realm, UriKind.Absolute, out var realmUri) || realmUri.Scheme is not ("https" or "http"))
            throw new RegistryException(registry, "authorize", HttpStatusCode.Unauthorized, null, $"invalid token realm \"{realm}\"");
        var query = new List<string>();
        if (parsed["service"] is { } service)
            query.Add("service=" + Uri.EscapeDataString(service));
        query.Add("scope=" + Uri.EscapeDataString(Scope));
        var uri = new UriBuilder(realmUri) { Query = string.Join('&', (realmUri.Query.TrimStart('?') is { Length: > 0 } q ? [q] : Array.Empty<string>()).Concat(query)) }.Uri;
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (credential is not null && credential.Username.Length > 0)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credential.BasicHeaderValue);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new RegistryException(registry, $"token from {realmUri.Host}", null, null, e.Message, e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw await ErrorAsync(response, $"token from {realmUri.Host}", ct);
            byte[] body = await ReadLimitedAsync(response, "token", ct);
            try
            {
                using var doc = JsonDocument.Parse(body);
                foreach (var name in (string[])["token", "access_token"])
                    if (doc.RootElement.TryGetProperty(name, out var t) && t.ValueKind == JsonValueKind.String && t.GetString() is { Length: > 0 } token)
                        return token;
            }
            catch (JsonException)
            {
            }
            throw new RegistryException(registry, $"token from {realmUri.Host}", response.StatusCode, null, "the token endpoint answered without a token");
        }
    }
}
