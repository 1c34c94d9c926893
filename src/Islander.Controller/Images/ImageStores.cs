using Islander.Drivers.Images;

namespace Islander.Controller.Images;

/// <summary>islanderd's real image store: STATE/images, registry credentials from Docker's config.json.</summary>
public static class ImageStores
{
    /// <summary>Where registry credentials are read from: $DOCKER_CONFIG/config.json, else /root/.docker/config.json (as Docker, for root).</summary>
    public static string CredentialsPath =>
        Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } dir
            ? Path.Combine(dir, "config.json")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home ? home : "/root", ".docker", "config.json");

    /// <summary>
    /// One <see cref="OciImageStore"/> at <c>STATE/images</c>. Registries on localhost and 127.0.0.0/8 are spoken to
    /// over plain HTTP, and those in <paramref name="insecureRegistries"/> (the config's <c>registries.insecure</c>);
    /// others over HTTPS unless a pull says <c>--insecure</c>. Docker Hub images are asked of
    /// <paramref name="mirrors"/> (<c>registries.mirrors</c>, <c>--registry-mirror</c>) in order before Docker Hub.
    /// </summary>
    public static OciImageStore Open(string stateDir, IReadOnlyCollection<string>? insecureRegistries = null, IReadOnlyList<string>? mirrors = null)
    {
        var registry = new RegistryClient(RegistryClient.CreateHttpClient(), RegistryCredentials.Load(CredentialsPath),
            new RegistryOptions { InsecureRegistries = insecureRegistries ?? [], Mirrors = mirrors ?? [] });
        return new OciImageStore(Path.Combine(stateDir, "images"), registry);
    }
}
