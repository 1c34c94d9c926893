using Islander.Drivers.Images;
using Islander.Model;

namespace Islander.Controller.Ports;

/// <summary>
/// Everything one start of an isle needs, as data: the runtime carries it out and decides nothing. The network and
/// volume services build their parts of it (as containerd's snapshotters return mounts rather than mount), so a start
/// reaches the runtime in one call, with no hooks and no wrappers around the runtime.
/// </summary>
/// <param name="Name">The isle's name.</param>
/// <param name="Spec">The spec as started: the desired one, plus the bind of the isle's hosts file at /etc/hosts that networking adds.</param>
/// <param name="Image">The isle's <c>spec.image</c>, already on this machine (layers and defaults); null for a <c>rootfs:</c> isle.</param>
/// <param name="VolumePaths">The host paths of the named volumes the isle mounts (volume → path), found or made again for this start.</param>
/// <param name="Networks">The isle's attachments in spec order: eth0, eth1, ...; the default route on the first. Empty: no network.</param>
public sealed record IsleStartPlan(
    string Name, IsleSpec Spec, ResolvedImage? Image, IReadOnlyDictionary<string, string> VolumePaths, IReadOnlyList<IsleNetworkAttachment> Networks)
{
    /// <summary>A plan with no image, no named volumes and no network (tests, and isles that need none).</summary>
    public static IsleStartPlan Of(string name, IsleSpec spec, ResolvedImage? image = null) =>
        new(name, spec, image, new Dictionary<string, string>(StringComparer.Ordinal), []);
}
