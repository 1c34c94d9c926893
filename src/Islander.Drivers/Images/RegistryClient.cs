using System.Net;
using System.Net.Http.Headers;
using Islander.Model;

namespace Islander.Drivers.Images;

/// <summary>
/// A client of the OCI distribution API v2. One instance serves every registry; it opens a
/// <see cref="RegistryRepository"/> per repository, which holds that repository's authorization.
/// </summary>
public sealed class RegistryClient(HttpClient http, RegistryCredentials credentials, RegistryOptions options)
{
    public RegistryOptions Options => options;

    /// <summary>An HttpClient fit for registries: no overall timeout (blobs are large), redirects followed (without Authorization, to blob CDNs).</summary>
    public static HttpClient CreateHttpClient(HttpMessageHandler? handler = null) =>
        new(handler ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestHeaders = { UserAgent = { new ProductInfoHeaderValue("islander", "0.1") } },
        };

    /// <summary>
    /// Pings <c>/v2/</c> and prepares authorization for pulling <paramref name="reference"/>'s repository from its own registry.
    /// </summary>
    /// <param name="insecure">Plain HTTP for this registry even when it is not in the insecure list (<c>--insecure</c>).</param>
    /// <exception cref="RegistryException">The registry is unreachable or refuses the credentials.</exception>
    public Task<RegistryRepository> OpenAsync(ImageReference reference, bool insecure, CancellationToken ct) =>
        OpenAsync(reference, Endpoints(reference, insecure)[^1], ct);

    /// <summary>Pings <paramref name="endpoint"/>'s <c>/v2/</c> and prepares authorization for pulling <paramref name="reference"/>'s repository there.</summary>
    /// <exception cref="RegistryException">The endpoint is unreachable or refuses the credentials.</exception>
    public async Task<RegistryRepository> OpenAsync(ImageReference reference, RegistryEndpoint endpoint, CancellationToken ct)
    {
        // A mirror gets the credentials stored for its own host, never Docker Hub's: a mirror is another party.
        var repo = new RegistryRepository(http, endpoint.BaseUri, reference, endpoint.Host, credentials.For(endpoint.Host), options);
        await repo.PingAsync(ct);
        return repo;
    }

    /// <summary>
    /// Where to pull <paramref name="reference"/> from, in order: for a Docker Hub image, each of
    /// <see cref="RegistryOptions.Mirrors"/> and then Docker Hub; for any other registry, that registry alone
    /// (dockerd's <c>registry-mirrors</c> apply to Docker Hub only). A mirror written <c>http://</c>, or whose
    /// host[:port] is insecure (<see cref="IsInsecure"/>), is spoken to over plain HTTP.
    /// </summary>
    /// <param name="insecure">Plain HTTP for the image's own registry (<c>--insecure</c>); mirrors keep their own scheme.</param>
    public IReadOnlyList<RegistryEndpoint> Endpoints(ImageReference reference, bool insecure)
    {
        var endpoints = new List<RegistryEndpoint>();
        if (reference.Registry == ImageReference.DockerHub)
        {
            foreach (var mirror in options.Mirrors)
            {
                var uri = new Uri(mirror, UriKind.Absolute);
                string scheme = uri.Scheme == Uri.UriSchemeHttp || IsInsecure(uri.Authority) ? "http" : "https";
                endpoints.Add(new RegistryEndpoint(new Uri($"{scheme}://{uri.Authority}{uri.AbsolutePath.TrimEnd('/')}/v2/"), uri.Authority, IsMirror: true));
            }
        }
        endpoints.Add(new RegistryEndpoint(
            new Uri($"{(insecure || IsInsecure(reference.Registry) ? "http" : "https")}://{reference.ApiHost}/v2/"), reference.Registry, IsMirror: false));
        return endpoints;
    }

    /// <summary>Docker's default: loopback registries are spoken to over HTTP, and those named insecure.</summary>
    public bool IsInsecure(string registry)
    {
        if (options.InsecureRegistries.Contains(registry, StringComparer.OrdinalIgnoreCase))
            return true;
        string host = registry;
        if (host.StartsWith('['))
            host = host[1..host.IndexOf(']')];
        else if (host.LastIndexOf(':') is var colon and > 0)
            host = host[..colon];
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            return true;
        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }
}
