namespace Islander.Drivers.Cgroups;

/// <summary>The controllers islander writes to or reads from.</summary>
/// <remarks>
/// <see cref="Io"/> is v2's <c>io</c> and v1's <c>blkio</c>; <see cref="CpuAcct"/>, <see cref="Devices"/> and
/// <see cref="Freezer"/> only exist as v1 hierarchies (v2 folds them into <c>cpu</c>, eBPF and <c>cgroup.freeze</c>).
/// </remarks>
public enum CgroupController
{
    Cpu,
    CpuAcct,
    Cpuset,
    Memory,
    Pids,
    Io,
    Devices,
    Freezer,
}
