namespace Islander.Model;

/// <summary>
/// The cgroup that holds the isles' cgroups (<c>cgroupParent</c> in the config, <c>--cgroup-parent</c>), as Docker's
/// <c>--cgroup-parent</c> with its cgroupfs driver: a path below the root of every hierarchy, <c>islander</c> by default,
/// so each isle is <c>/sys/fs/cgroup[/CONTROLLER]/islander/NAME</c>. Why the root and not the unit's delegated cgroup:
/// docs/packaging.md, "Where isles' cgroups go".
/// </summary>
public static class CgroupParent
{
    public const string Default = "islander";

    /// <summary>What a valid value looks like, for error messages.</summary>
    public const string Rule =
        "write cgroup names (letters, digits, '-', '_', '.', not starting with '.') joined by '/', e.g. islander or machine.slice/islander";

    /// <summary>
    /// The parent as the drivers take it (relative, no leading or trailing '/'), or null with <paramref name="error"/> set.
    /// A leading '/' is accepted, as Docker writes it. A systemd unit's cgroup (<c>*.service</c>, <c>*.scope</c>) is refused:
    /// systemd owns it, and on cgroup v2 a restart of a unit whose cgroup holds other groups fails (status 219/CGROUP).
    /// </summary>
    public static string? Normalize(string text, out string? error)
    {
        var path = text.StartsWith('/') ? text[1..] : text;
        path = path.EndsWith('/') ? path[..^1] : path;
        var segments = path.Split('/');
        if (path.Length == 0 || !segments.All(IsSegment))
        {
            error = $"\"{text}\" is not a cgroup path: {Rule}";
            return null;
        }
        if (segments.FirstOrDefault(s => s.EndsWith(".service", StringComparison.Ordinal) || s.EndsWith(".scope", StringComparison.Ordinal)) is { } unit)
        {
            error = $"\"{text}\" is inside systemd's unit {unit}: systemd manages that cgroup, and a restart of the unit fails " +
                    "while isles live in it (cgroup v2); name a group of its own, e.g. islander or machine.slice/islander";
            return null;
        }
        error = null;
        return path;
    }

    static bool IsSegment(string s) =>
        s.Length is > 0 and <= 255 && s[0] != '.' && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
