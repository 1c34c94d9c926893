namespace Islander.Model;

/// <summary>Linux capability names (capabilities(7), up to CAP_CHECKPOINT_RESTORE = 40), without the CAP_ prefix.</summary>
internal static class Capabilities
{
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
        "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
        "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
        "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
        "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
        "CHECKPOINT_RESTORE",
    };

    /// <summary>Upper-cases and strips CAP_ (Docker accepts both forms); "ALL" stays ALL. Null when unknown.</summary>
    public static string? Normalize(string name)
    {
        var s = name.Trim().ToUpperInvariant();
        if (s.StartsWith("CAP_", StringComparison.Ordinal)) s = s[4..];
        return s == "ALL" || Known.Contains(s) ? s : null;
    }
}
