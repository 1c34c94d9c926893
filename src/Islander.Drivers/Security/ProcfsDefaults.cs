namespace Islander.Drivers.Security;

/// <summary>
/// Docker's default masked and read-only paths (moby <c>oci/defaults.go</c>), paths inside the isle.
/// Privileged isles get neither. Turning them into mounts is the runtime's job: a masked directory
/// gets an empty read-only tmpfs, a masked file a bind of /dev/null; a read-only path is bind-mounted
/// onto itself and remounted read-only. Paths missing on the running kernel are skipped there.
/// </summary>
public static class ProcfsDefaults
{
    /// <summary>Hidden from the isle: they leak host state (kcore, keys, timers) or allow poking hardware.</summary>
    public static IReadOnlyList<string> MaskedPaths { get; } =
    [
        "/proc/asound",
        "/proc/acpi",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/proc/scsi",
        "/sys/firmware",
        "/sys/devices/virtual/powercap",
    ];

    /// <summary>Visible but read-only: writing to them would change the host kernel (sysctls, IRQ affinity, SysRq).</summary>
    public static IReadOnlyList<string> ReadonlyPaths { get; } =
    [
        "/proc/bus",
        "/proc/fs",
        "/proc/irq",
        "/proc/sys",
        "/proc/sysrq-trigger",
    ];
}
