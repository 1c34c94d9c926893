namespace Islander.Model;

/// <summary>Reads and validates the <c>spec</c> of a <c>kind: Volume</c> manifest.</summary>
internal static class VolumeSpecReader
{
    public static readonly string[] Fields = ["driver", "size", "reclaimPolicy"];

    public static VolumeSpec Read(Fields? spec)
    {
        if (spec is null) return new VolumeSpec();
        var driver = ReadDriver(spec);
        var size = spec.Bytes("size");
        if (size == 0) spec.Error("size", "must be more than 0; leave size out for no limit");
        if (driver == VolumeDriverKind.Dir && spec.Has("size"))
        {
            spec.Error("size", "a dir volume cannot enforce a size; use driver: btrfs or driver: tmpfs, or remove size");
        }
        return new VolumeSpec { Driver = driver ?? VolumeDriverKind.Dir, Size = size, ReclaimPolicy = spec.Enum<ReclaimPolicy>("reclaimPolicy") ?? ReclaimPolicy.Retain };
    }

    /// <summary>dir, btrfs or tmpfs, lower case as in the README's Volumes and examples/volume.yaml.</summary>
    private static VolumeDriverKind? ReadDriver(Fields spec)
    {
        var driver = spec.String("driver");
        switch (driver)
        {
            case null or "dir": return VolumeDriverKind.Dir;
            case "btrfs": return VolumeDriverKind.Btrfs;
            case "tmpfs": return VolumeDriverKind.Tmpfs;
            default:
                spec.Error("driver", $"\"{driver}\" is not a volume driver; use dir, btrfs or tmpfs{Suggest.DidYouMean(driver, ["dir", "btrfs", "tmpfs"])}");
                return null;
        }
    }
}
