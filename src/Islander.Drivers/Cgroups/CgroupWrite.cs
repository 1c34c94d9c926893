namespace Islander.Drivers.Cgroups;

/// <summary>
/// One write into a control file of the isle's cgroup: the "serialized syscall" a plan is made of
/// (<see cref="CgroupV1Plan"/>, <see cref="CgroupV2Plan"/>); a driver carries the writes out in order.
/// </summary>
/// <param name="Controller">Selects the v1 hierarchy; on v2 it names the controller that must be enabled.</param>
/// <param name="File">The control file name, e.g. <c>memory.max</c>.</param>
/// <param name="Value">Exactly what is written.</param>
/// <param name="Reset">
/// True when the write only restores the kernel's default because the limit is not set (or applies islander's own
/// default task limit, <see cref="Islander.Model.IsleResources.DefaultPids"/>); the driver skips it
/// when the controller or file is missing, where a requested limit would be an <see cref="Islander.Model.ErrorCategory.Unsupported"/> error.
/// </param>
public sealed record CgroupWrite(CgroupController Controller, string File, string Value, bool Reset = false)
{
    public override string ToString() => $"{File} = {Value}";
}
