using Islander.Model;
namespace Islander.Drivers.Runtime;

/// <summary>
/// Writes the id maps of a process that was cloned with CLONE_NEWUSER: for the
/// <c>beforeStart</c> step of <see cref="IProcessLauncher.LaunchAsync"/>. Each map file can be
/// written once only (user_namespaces(7)), so this is not idempotent.
/// </summary>
public static class UserNamespaceMaps
{
    /// <summary>
    /// Writes uid_map, then setgroups ("deny" unless <paramref name="allowSetgroups"/>, which
    /// must come before gid_map), then gid_map, under <paramref name="procRoot"/>/PID.
    /// </summary>
    public static void Write(int pid, IReadOnlyList<IdMapping> uidMap, IReadOnlyList<IdMapping> gidMap, bool allowSetgroups = true, string procRoot = "/proc")
    {
        var dir = Path.Combine(procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        File.WriteAllText(Path.Combine(dir, "uid_map"), Format(uidMap));
        File.WriteAllText(Path.Combine(dir, "setgroups"), allowSetgroups ? "allow" : "deny");
        File.WriteAllText(Path.Combine(dir, "gid_map"), Format(gidMap));
    }

    /// <summary>The whole map file content, one <c>ContainerId HostId Size</c> line per mapping (user_namespaces(7)).</summary>
    public static string Format(IEnumerable<IdMapping> maps) =>
        string.Concat(maps.Select(m => $"{m.ContainerId} {m.HostId} {m.Size}\n"));
}
