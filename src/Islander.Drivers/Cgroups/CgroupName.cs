using Islander.Model;

namespace Islander.Drivers.Cgroups;

/// <summary>Checks the names that become cgroup directories, so that no name can climb out of the parent.</summary>
public static class CgroupName
{
    /// <summary>Returns <paramref name="isle"/> when it can be a directory name; InvalidManifest otherwise.</summary>
    public static string Isle(string isle)
    {
        if (!IsSegment(isle))
            throw new CgroupException(
                $"isle name '{isle}' cannot name a cgroup: use letters, digits, '-', '_' and '.', not starting with '.'",
                ErrorCategory.InvalidManifest);
        return isle;
    }

    /// <summary>A relative path such as <c>islander</c> or <c>system.slice/islander</c>.</summary>
    public static string Parent(string parent)
    {
        if (string.IsNullOrEmpty(parent) || !parent.Split('/').All(IsSegment))
            throw new ArgumentException($"cgroup parent '{parent}' must be a relative path of plain names", nameof(parent));
        return parent;
    }

    static bool IsSegment(string s) =>
        s.Length is > 0 and <= 255 && s[0] != '.' && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
