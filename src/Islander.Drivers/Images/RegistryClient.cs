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
    /// Pings <c>/v2/</c> and prepares authorization for pulling <paramref name="reference"/>'s repository.
    /// </summary>
    /// <param name="insecure">Plain HTTP for this registry even when it is not in the insecure list (<c>--insecure</c>).</param>
    /// <exception cref="RegistryException">The registry is unreachable or refuses the credentials.</exception>
    public async Task<RegistryRepository> OpenAsync(ImageReference reference, bool insecure, CancellationToken ct)
    {
        var baseUri = new Uri($"{(insecure || IsInsecure(reference.Registry) ? "http" : "https")}://{reference.ApiHost}/v2/");
        var repo = new RegistryRepository(http, baseUri, reference, credentials.For(reference.Registry), options);
        await repo.PingAsync(ct);
        return repo;
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
