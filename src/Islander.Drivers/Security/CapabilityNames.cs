namespace Islander.Drivers.Security;

/// <summary>The kernel's capability names (capabilities(7)), without the CAP_ prefix, by number.</summary>
public static class CapabilityNames
{
    /// <summary>Index n holds the name of capability n, e.g. [21] = "SYS_ADMIN".</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
        "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
        "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
        "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
        "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
        "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
    ];

    static readonly Dictionary<string, int> Numbers =
        All.Select((name, n) => (name, n)).ToDictionary(p => p.name, p => p.n, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Parses one capability name as Docker accepts it: case-insensitive, with or without the
    /// CAP_ prefix ("net_admin", "CAP_NET_ADMIN"). "ALL" is not a capability and is refused here.
    /// </summary>
    public static bool TryParse(string name, out CapabilitySet capability)
    {
        var bare = name.Trim();
        if (bare.StartsWith("CAP_", StringComparison.OrdinalIgnoreCase))
            bare = bare[4..];
        if (Numbers.TryGetValue(bare, out var n))
        {
            capability = (CapabilitySet)(1UL << n);
            return true;
        }
        capability = CapabilitySet.None;
        return false;
    }

    /// <summary>"CAP_SYS_ADMIN" for a single capability.</summary>
    public static string Format(CapabilitySet capability)
    {
        var bits = (ulong)capability;
        if (bits == 0 || (bits & (bits - 1)) != 0)
            throw new ArgumentException("exactly one capability expected", nameof(capability));
        var n = System.Numerics.BitOperations.TrailingZeroCount(bits);
        return n < All.Count ? "CAP_" + All[n] : $"CAP_{n}";
    }

    /// <summary>The names of every capability in a set, "CAP_" prefixed, in number order.</summary>
    public static IEnumerable<string> Names(CapabilitySet set)
    {
        for (var n = 0; n < 64; n++)
            if (((ulong)set & (1UL << n)) != 0)
                yield return n < All.Count ? "CAP_" + All[n] : $"CAP_{n}";
    }
}
