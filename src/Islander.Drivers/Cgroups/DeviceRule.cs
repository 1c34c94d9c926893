using System.Text;

namespace Islander.Drivers.Cgroups;

/// <summary>
/// One device rule, in the model of the cgroup v1 devices controller (Documentation/admin-guide/cgroup-v1/devices.rst):
/// a type, a major and minor that may be wildcards, an access, and whether it allows or denies. The v1 driver
/// writes <see cref="ToString"/> into devices.allow or devices.deny; the v2 driver compiles the same rules into a
/// BPF_CGROUP_DEVICE program (<see cref="DeviceFilterProgram"/>), so both enforce one list.
/// </summary>
/// <param name="Major">Null for <c>*</c>.</param>
/// <param name="Minor">Null for <c>*</c>.</param>
public sealed record DeviceRule(bool Allow, DeviceType Type, uint? Major, uint? Minor, DeviceAccess Access)
{
    /// <summary>An allowing rule.</summary>
    public static DeviceRule Allowed(DeviceType type, uint? major, uint? minor, DeviceAccess access = DeviceAccess.All) =>
        new(true, type, major, minor, access);

    /// <summary>Whether the rule covers every device with every access (<c>a *:* rwm</c>, written <c>a</c>).</summary>
    public bool IsEverything => Type == DeviceType.All && Major is null && Minor is null && Access == DeviceAccess.All;

    /// <summary>Whether the rule covers a request: same type (or <c>a</c>), major and minor (or <c>*</c>), and every access asked for.</summary>
    public bool Covers(DeviceType type, uint major, uint minor, DeviceAccess access) =>
        (Type == DeviceType.All || Type == type)
        && (Major is null || Major == major)
        && (Minor is null || Minor == minor)
        && (access & ~Access) == 0;

    /// <summary>The v1 control-file syntax: <c>c 1:3 rwm</c>, <c>c 136:* rwm</c>, <c>a</c> for everything.</summary>
    public override string ToString()
    {
        if (IsEverything)
            return "a";
        var text = new StringBuilder();
        text.Append((char)Type).Append(' ')
            .Append(Major?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "*").Append(':')
            .Append(Minor?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "*").Append(' ');
        if (Access.HasFlag(DeviceAccess.Read))
            text.Append('r');
        if (Access.HasFlag(DeviceAccess.Write))
            text.Append('w');
        if (Access.HasFlag(DeviceAccess.Mknod))
            text.Append('m');
        return text.ToString();
    }
}
