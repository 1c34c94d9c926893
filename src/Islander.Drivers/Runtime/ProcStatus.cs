using System.Globalization;

namespace Islander.Drivers.Runtime;

/// <summary>Reads /proc/PID/status and /proc/PID/uid_map text (proc(5), user_namespaces(7)). Pure.</summary>
public static class ProcStatus
{
    /// <summary>
    /// The pid in the innermost PID namespace the process is in: the last field of <c>NSpid:</c> (Linux 4.1), which
    /// lists it from the reader's namespace inward. Null when the line is missing or malformed.
    /// </summary>
    public static int? InnermostPid(string status) =>
        Field(status, "NSpid")?.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } pids
        && int.TryParse(pids[^1], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : null;

    /// <summary>The real uid (first field of <c>Uid:</c>), as the reader's user namespace sees it.</summary>
    public static uint? RealUid(string status) =>
        Field(status, "Uid")?.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } ids
        && uint.TryParse(ids[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint uid) ? uid : null;

    /// <summary>
    /// <paramref name="outside"/> (a uid as the reader sees it) as the process's user namespace sees it, through the
    /// lines of its uid_map (<c>inside outside count</c>, as the reader sees them); the uid itself when the map is the
    /// identity or the uid is not mapped (then it shows as the kernel's overflow uid inside, which ps would print).
    /// </summary>
    public static uint Inside(string? uidMap, uint outside)
    {
        foreach (var line in (uidMap ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 3 && uint.TryParse(f[0], CultureInfo.InvariantCulture, out uint inside)
                && uint.TryParse(f[1], CultureInfo.InvariantCulture, out uint start) && ulong.TryParse(f[2], CultureInfo.InvariantCulture, out ulong count)
                && outside >= start && outside - start < count)
                return inside + (outside - start);
        }
        return outside;
    }

    /// <summary>/proc/PID/cmdline (NUL-separated arguments) as ps prints it; null for an empty one (a kernel thread, a zombie).</summary>
    public static string? Command(ReadOnlySpan<byte> cmdline)
    {
        var text = System.Text.Encoding.UTF8.GetString(cmdline).TrimEnd('\0');
        return text.Length == 0 ? null : text.Replace('\0', ' ');
    }

    static string? Field(string status, string key)
    {
        foreach (var line in status.Split('\n'))
            if (line.StartsWith(key, StringComparison.Ordinal) && line.Length > key.Length && line[key.Length] == ':')
                return line[(key.Length + 1)..].Trim();
        return null;
    }
}
