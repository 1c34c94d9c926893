namespace Islander.Drivers.Cgroups;

/// <summary>The cgroup interface a driver speaks: v1 (one hierarchy per controller) or v2 (one unified hierarchy).</summary>
public enum CgroupVersion
{
    V1 = 1,
    V2 = 2,
}
