namespace Islander.Drivers.Cgroups;

/// <summary>What a <see cref="DeviceRule"/> grants or refuses: cgroup v1's <c>r</c>, <c>w</c> and <c>m</c>.</summary>
[Flags]
public enum DeviceAccess
{
    None = 0,

    /// <summary><c>r</c>: open for reading.</summary>
    Read = 1,

    /// <summary><c>w</c>: open for writing.</summary>
    Write = 2,

    /// <summary><c>m</c>: mknod(2) of such a node.</summary>
    Mknod = 4,

    /// <summary><c>rwm</c>.</summary>
    All = Read | Write | Mknod,
}
