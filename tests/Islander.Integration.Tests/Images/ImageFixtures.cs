using Islander.Drivers.Images;

namespace Islander.Integration.Tests.Images;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ImagesCollection
{
    public const string Name = "images (root)";
}

/// <summary>Test images built once per run and shared: the busybox OCI layout (umoci) and the trixie rootfs tarball (debootstrap, cached in /var/tmp).</summary>
public static class ImageFixtures
{
    static readonly Lazy<string> BusyboxLayout = new(() =>
    {
        string dir = Path.Combine(Path.GetTempPath(), $"islander-test-busybox-oci-{Environment.ProcessId}");
        Tools.Script("make-busybox-oci.sh", dir, "1.0");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        return dir;
    });

    /// <summary>An OCI layout holding busybox:1.0 (see scripts/make-busybox-oci.sh for its two layers and config).</summary>
    public static string Busybox => BusyboxLayout.Value;

    /// <summary>scripts/make-trixie-rootfs-tar.sh's tarball: /var/tmp/islander-trixie-rootfs.tar (built on first use, ~2 minutes).</summary>
    public static string TrixieTarball => Tools.Script("make-trixie-rootfs-tar.sh").Trim();

    public static OciImageStore Store(string root, string? credentialsJson = null, RegistryOptions? options = null) =>
        new(root, new RegistryClient(RegistryClient.CreateHttpClient(),
            credentialsJson is null ? RegistryCredentials.None : RegistryCredentials.Parse(credentialsJson), options ?? new RegistryOptions()));
}
