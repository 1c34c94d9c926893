namespace Islander.Model;

/// <summary>Reads and validates the <c>spec</c> of a <c>kind: Volume</c> manifest.</summary>
internal static class VolumeSpecReader
{
    public static readonly string[] Fields = ["driver", "size", "reclaimPolicy"];

    public static VolumeSpec Read(Fields? spec, DriverCatalog drivers)
    {
        if (spec is null) return new VolumeSpec();
        var driver = ReadDriver(spec, drivers);
        var size = spec.Bytes("size");
        if (size == 0) spec.Error("size", "must be more than 0; leave size out for no limit");
        if (driver is { } d && !d.Capabilities.HasFlag(VolumeCapabilities.SizeLimit) && spec.Has("size"))
        {
            var sized = drivers.Volumes.Where(v => v.Capabilities.HasFlag(VolumeCapabilities.SizeLimit)).Select(v => $"driver: {v.Kind}");
            spec.Error("size", $"a {d.Kind} volume cannot enforce a size; use {Or(sized)}, or remove size");
        }
        return new VolumeSpec { Driver = driver?.Kind ?? VolumeDriverKind.Dir, Size = size, ReclaimPolicy = spec.Enum<ReclaimPolicy>("reclaimPolicy") ?? ReclaimPolicy.Retain };
    }

    /// <summary>A registered driver's name, lower case as in the README; none given is <see cref="VolumeDriverKind.Dir"/>.</summary>
    private static VolumeDriverDescription? ReadDriver(Fields spec, DriverCatalog drivers)
    {
        var name = spec.String("driver") ?? VolumeDriverKind.Dir.Name;
        if (drivers.Volume(name) is { } known) return known;
        var names = drivers.Volumes.Select(v => v.Kind.Name).ToList();
        spec.Error("driver", $"\"{name}\" is not a volume driver; use {Or(names)}{Suggest.DidYouMean(name, names)}");
        return null;
    }

    /// <summary><c>a, b or c</c>.</summary>
    internal static string Or(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count <= 1 ? string.Concat(list) : string.Join(", ", list[..^1]) + " or " + list[^1];
    }
}
