using System.Text;
using System.Text.Json;
using Islander.Model;

namespace Islander.Drivers.Images;

/// <summary>
/// Credentials from a Docker <c>config.json</c>: <c>{"auths": {"host:port": {"auth": base64("user:pass")}}}</c>
/// (also <c>username</c>/<c>password</c> and <c>identitytoken</c> fields). Credential helpers
/// (<c>credsStore</c>, <c>credHelpers</c>) run external programs and are not supported.
/// </summary>
public sealed class RegistryCredentials
{
    readonly Dictionary<string, RegistryCredential> byHost;

    RegistryCredentials(Dictionary<string, RegistryCredential> byHost) => this.byHost = byHost;

    public static RegistryCredentials None { get; } = new(new(StringComparer.OrdinalIgnoreCase));

    /// <summary>Reads <paramref name="path"/>; a missing file means no credentials.</summary>
    /// <exception cref="IslanderException">InvalidManifest: the file is not a Docker config.</exception>
    public static RegistryCredentials Load(string? path)
    {
        if (path is null || !File.Exists(path))
            return None;
        return Parse(File.ReadAllText(path), path);
    }

    public static RegistryCredentials Parse(string json, string source = "config.json")
    {
        var map = new Dictionary<string, RegistryCredential>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (!doc.RootElement.TryGetProperty("auths", out var auths) || auths.ValueKind != JsonValueKind.Object)
                return new RegistryCredentials(map);
            foreach (var entry in auths.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Object)
                    continue;
                string? user = Str(entry.Value, "username"), pass = Str(entry.Value, "password");
                if (Str(entry.Value, "auth") is { Length: > 0 } auth)
                {
                    string decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
                    int colon = decoded.IndexOf(':');
                    if (colon < 0)
                        throw new IslanderException($"{source}: auths.{entry.Name}.auth is not base64(user:password)", ErrorCategory.InvalidManifest);
                    (user, pass) = (decoded[..colon], decoded[(colon + 1)..]);
                }
                string? token = Str(entry.Value, "identitytoken");
                if (user is null && token is null)
                    continue;
                map[NormalizeHost(entry.Name)] = new RegistryCredential(user ?? "", pass ?? "", token);
            }
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new IslanderException($"{source}: not a Docker config.json: {e.Message}", ErrorCategory.InvalidManifest, e);
        }
        return new RegistryCredentials(map);
    }

    /// <summary>The credential for a registry as written in image names (<c>docker.io</c>, <c>localhost:5000</c>), or null.</summary>
    public RegistryCredential? For(string registry) =>
        byHost.TryGetValue(NormalizeHost(registry), out var c) ? c : null;

    /// <summary>"https://index.docker.io/v1/" → "docker.io"; "http://host:5000/" → "host:5000".</summary>
    internal static string NormalizeHost(string key)
    {
        string host = key;
        int scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
            host = host[(scheme + 3)..];
        int slash = host.IndexOf('/');
        if (slash >= 0)
            host = host[..slash];
        return host.ToLowerInvariant() is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" ? ImageReference.DockerHub : host.ToLowerInvariant();
    }

    static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
