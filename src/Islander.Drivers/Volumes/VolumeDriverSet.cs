using Islander.Model;

namespace Islander.Drivers.Volumes;

/// <summary>
/// The volume drivers islanderd offers (every one of <see cref="VolumeDriverCatalog"/>), probed once at startup
/// (containerd skips its btrfs plugin the same way): one root per driver under the volumes directory,
/// <c>&lt;volumes&gt;/&lt;driver&gt;</c> (<c>dir</c>, <c>tmpfs</c>, <c>btrfs</c>), so that no driver ever takes another's volume for its own. A driver that cannot
/// work here (btrfs when <c>&lt;volumes&gt;/btrfs</c> is not on btrfs) is listed in <see cref="Unavailable"/> with
/// the reason, and <see cref="For"/> refuses it with that reason.
/// </summary>
public sealed class VolumeDriverSet
{
    /// <summary>islanderd's volumes directory: <c>&lt;state&gt;/volumes</c>.</summary>
    public const string DefaultRoot = "/var/lib/islander/volumes";

    readonly Dictionary<VolumeDriverKind, IVolumeDriver> _drivers;
    readonly Dictionary<VolumeDriverKind, string> _unavailable;

    public VolumeDriverSet(IEnumerable<IVolumeDriver> drivers, IReadOnlyDictionary<VolumeDriverKind, string>? unavailable = null)
    {
        _drivers = drivers.ToDictionary(d => d.Kind);
        _unavailable = unavailable?.ToDictionary() ?? [];
    }

    /// <summary>The drivers that work here, by kind.</summary>
    public IReadOnlyDictionary<VolumeDriverKind, IVolumeDriver> Drivers => _drivers;

    /// <summary>The drivers that do not, with the reason (log it once at startup).</summary>
    public IReadOnlyDictionary<VolumeDriverKind, string> Unavailable => _unavailable;

    /// <summary>
    /// Makes every driver of <see cref="VolumeDriverCatalog"/> on its root under <paramref name="volumesRoot"/>; one whose
    /// probe says it cannot work there is listed in <see cref="Unavailable"/> instead.
    /// </summary>
    public static VolumeDriverSet Open(string volumesRoot = DefaultRoot)
    {
        var drivers = new List<IVolumeDriver>();
        var unavailable = new Dictionary<VolumeDriverKind, string>();
        foreach (var registration in VolumeDriverCatalog.All)
        {
            string root = Path.Combine(volumesRoot, registration.Kind.Name);
            if (registration.Probe?.Invoke(root) is { } reason)
                unavailable[registration.Kind] = reason;
            else
                drivers.Add(registration.Open(root));
        }
        return new VolumeDriverSet(drivers, unavailable);
    }

    /// <summary>The driver a volume asks for; <see cref="ErrorCategory.Unsupported"/> with the probe's reason when it cannot work here.</summary>
    public IVolumeDriver For(VolumeDriverKind kind) =>
        _drivers.TryGetValue(kind, out var driver)
            ? driver
            : throw new VolumeException(_unavailable.GetValueOrDefault(kind, $"no {kind} volume driver"), ErrorCategory.Unsupported);
}
