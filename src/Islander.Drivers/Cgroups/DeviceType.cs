namespace Islander.Drivers.Cgroups;

/// <summary>The device type of a <see cref="DeviceRule"/>, with the letter cgroup v1 uses for it.</summary>
public enum DeviceType
{
    /// <summary><c>a</c>: block and character devices.</summary>
    All = 'a',

    /// <summary><c>b</c>.</summary>
    Block = 'b',

    /// <summary><c>c</c>.</summary>
    Char = 'c',
}
