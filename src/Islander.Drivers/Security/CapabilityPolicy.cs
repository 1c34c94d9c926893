using Islander.Model;

namespace Islander.Drivers.Security;

/// <summary>
/// Which capabilities an isle keeps, computed from its <see cref="IsleSecurity"/> the way Docker's
/// <c>oci/caps.TweakCapabilities</c> does. Pure: the result is the mask handed to isle-init.
/// </summary>
public static class CapabilityPolicy
{
    /// <summary>Docker's default set (moby <c>oci/caps/defaults.go</c>).</summary>
    public const CapabilitySet DockerDefault =
        CapabilitySet.Chown | CapabilitySet.DacOverride | CapabilitySet.Fsetid | CapabilitySet.Fowner |
        CapabilitySet.Mknod | CapabilitySet.NetRaw | CapabilitySet.Setgid | CapabilitySet.Setuid |
        CapabilitySet.Setfcap | CapabilitySet.Setpcap | CapabilitySet.NetBindService |
        CapabilitySet.SysChroot | CapabilitySet.Kill | CapabilitySet.AuditWrite;

    /// <summary>
    /// The capabilities kept in the bounding set:
    /// privileged → all; otherwise Docker's default set, then
    /// capAdd "ALL" → all but capDrop; else capDrop "ALL" → only capAdd;
    /// else (default − capDrop) ∪ capAdd.
    /// </summary>
    /// <exception cref="IslanderException">InvalidManifest: a name is not a capability; every bad name is listed.</exception>
    public static CapabilitySet Kept(IsleSecurity security)
    {
        // Docker validates names even for privileged containers; so do we, so a typo never hides.
        var (add, addAll) = Parse(security.CapAdd, "capAdd", out var badAdd);
        var (drop, dropAll) = Parse(security.CapDrop, "capDrop", out var badDrop);
        var bad = badAdd.Concat(badDrop).ToList();
        if (bad.Count > 0)
            throw new IslanderException(
                $"unknown capabilit{(bad.Count == 1 ? "y" : "ies")} {string.Join(", ", bad)}: " +
                "use names from capabilities(7) with or without the CAP_ prefix (NET_ADMIN, CAP_SYS_TIME) or ALL",
                ErrorCategory.InvalidManifest);

        if (security.Privileged)
            return CapabilitySet.All;
        if (addAll)
            return CapabilitySet.All & ~drop;
        if (dropAll)
            return add;
        return (DockerDefault & ~drop) | add;
    }

    static (CapabilitySet Set, bool All) Parse(IReadOnlyList<string> names, string field, out List<string> bad)
    {
        bad = [];
        var set = CapabilitySet.None;
        var all = false;
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (string.Equals(name.Trim(), "ALL", StringComparison.OrdinalIgnoreCase))
                all = true;
            else if (CapabilityNames.TryParse(name, out var cap))
                set |= cap;
            else
                bad.Add($"\"{name}\" (security.{field}[{i}])");
        }
        return (set, all);
    }
}
