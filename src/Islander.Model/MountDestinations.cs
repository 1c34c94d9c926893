namespace Islander.Model;

/// <summary>
/// Where a volume may not be mounted in an isle. /proc is the isle's procfs: a mount on it or under it hides what the
/// kernel reports there, and with it what the runtime relies on (/proc/self/fd, the masked and read-only paths); runc
/// refuses such destinations since CVE-2019-16884 and CVE-2019-19921, and so does Docker. As runc, binds of the few
/// files that lxcfs emulates are the exception.
/// </summary>
public static class MountDestinations
{
    /// <summary>The files under /proc that runc lets a bind mount replace (lxcfs's).</summary>
    public static readonly IReadOnlyList<string> ProcFilesBindable =
    [
        "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps", "/proc/uptime",
        "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid", "/proc/sys/crypto/fips_enabled",
    ];

    /// <summary>Why <paramref name="mountPath"/> (absolute) is refused as a volume's destination; null when it is fine.</summary>
    /// <param name="bind">A bind of a host path or a named volume (not a tmpfs).</param>
    public static string? Refusal(string mountPath, bool bind)
    {
        var path = "/" + string.Join('/', mountPath.Split('/', StringSplitOptions.RemoveEmptyEntries));
        if (path != "/proc" && !path.StartsWith("/proc/", StringComparison.Ordinal))
            return null;
        if (bind && ProcFilesBindable.Contains(path))
            return null;
        return $"{mountPath} is {(path == "/proc" ? "" : "inside ")}the isle's /proc, which a mount would hide (runc and Docker refuse it too); " +
            "mount the volume elsewhere, e.g. /data";
    }
}
