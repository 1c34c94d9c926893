namespace Islander.Drivers.Cgroups;

/// <summary>A device's major:minor, as cgroup files spell it (<c>8:0</c>).</summary>
public readonly record struct DeviceNumber(uint Major, uint Minor) : IComparable<DeviceNumber>
{
    public int CompareTo(DeviceNumber other) =>
        Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor);

    public override string ToString() => $"{Major}:{Minor}";

    /// <summary>Parses <c>"8:0"</c>; false for anything else (including the <c>*</c> wildcards of devices.list).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DeviceNumber device)
    {
        device = default;
        int colon = text.IndexOf(':');
        if (colon <= 0
            || !uint.TryParse(text[..colon], System.Globalization.NumberStyles.None, null, out var major)
            || !uint.TryParse(text[(colon + 1)..], System.Globalization.NumberStyles.None, null, out var minor))
            return false;
        device = new DeviceNumber(major, minor);
        return true;
    }
}
