namespace Islander.Drivers.Cgroups;

/// <summary>
/// What a plan needs to know about the isle's group as it is now. The driver reads it from the kernel before
/// planning; a new group is <see cref="New"/> plus the host facts (<see cref="SwapAccounting"/>, parent cpuset).
/// </summary>
public sealed record CgroupCurrent
{
    public static readonly CgroupCurrent New = new();

    /// <summary>v1 memory.limit_in_bytes now, null when unlimited (as in a new group). Decides the memsw write order.</summary>
    public long? MemoryLimit { get; init; }

    /// <summary>Swap is accounted (v1 memory.memsw.limit_in_bytes or v2 memory.swap.max exists), so it has to be limited too.</summary>
    public bool SwapAccounting { get; init; }

    /// <summary>Devices that carry an IO throttle now, so that re-applying lifts the ones no longer asked for.</summary>
    public IReadOnlyCollection<DeviceNumber> ThrottledDevices { get; init; } = [];

    /// <summary>v1: the parent group's cpuset.cpus, used when the isle asks for none (an empty cpuset refuses tasks).</summary>
    public string ParentCpus { get; init; } = "";

    /// <summary>v1: the parent group's cpuset.mems, always copied (islander does not pin memory nodes).</summary>
    public string ParentMems { get; init; } = "";
}
