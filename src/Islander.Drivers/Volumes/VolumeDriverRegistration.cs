using Islander.Model;

namespace Islander.Drivers.Volumes;

/// <summary>
/// One volume driver as it registers itself in <see cref="VolumeDriverCatalog"/> (containerd's
/// <c>plugin.Registration</c>): the name manifests use, what it can do, how to make it on its root, and why it cannot
/// work on a given root (null: it can; containerd's <c>ErrSkipPlugin</c>).
/// </summary>
/// <param name="Kind">The name a volume's <c>driver:</c> gives; its root is <c>&lt;volumes&gt;/&lt;name&gt;</c>.</param>
/// <param name="Capabilities">What it can do beyond create, inspect and delete; the parser refuses a size without <see cref="VolumeCapabilities.SizeLimit"/>.</param>
/// <param name="Open">Makes the driver on its root.</param>
/// <param name="Probe">Why it cannot work on that root, or null; drivers that work everywhere leave it out.</param>
public sealed record VolumeDriverRegistration(
    VolumeDriverKind Kind, VolumeCapabilities Capabilities, Func<string, IVolumeDriver> Open, Func<string, string?>? Probe = null);
