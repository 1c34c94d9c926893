using Islander.Drivers.Interop;
using Islander.Model;

namespace Islander.Drivers.Volumes;

/// <summary>The errors every driver raises the same way, so the controller can rely on their categories.</summary>
public static class VolumeErrors
{
    /// <summary>Refuses a spec this driver cannot carry out, before anything is made.</summary>
    public static void CheckSpec(IVolumeDriver driver, string name, VolumeSpec spec)
    {
        VolumeName.Volume(name);
        if (spec.Driver != driver.Kind)
            throw new VolumeException(
                $"volume {name} asks for driver {spec.Driver}, this is the {driver.Kind} driver",
                ErrorCategory.InvalidManifest);
        CheckSize(driver, name, spec.Size);
    }

    /// <summary>Refuses a size on a driver that cannot enforce one, and a size that is not positive.</summary>
    public static void CheckSize(IVolumeDriver driver, string name, long? size)
    {
        if (size is null)
            return;
        if (!driver.Capabilities.HasFlag(VolumeCapabilities.SizeLimit))
            throw new VolumeException(
                $"volume {name}: the {driver.Kind} driver cannot limit a volume's size; use driver {SizedDrivers()}, or drop size",
                ErrorCategory.Unsupported);
        if (size <= 0)
            throw new VolumeException($"volume {name}: size must be positive, not {size}", ErrorCategory.InvalidManifest);
    }

    /// <summary>Refuses Snapshot and Restore on a driver without <see cref="VolumeCapabilities.Snapshot"/>.</summary>
    public static VolumeException NoSnapshots(VolumeDriverKind kind, string name, string why) =>
        new($"volume {name}: the {kind} driver cannot snapshot or restore: {why}", ErrorCategory.Unsupported);

    static string SizedDrivers() => string.Join(" or ",
        VolumeDriverCatalog.All.Where(r => r.Capabilities.HasFlag(VolumeCapabilities.SizeLimit)).Select(r => r.Kind.Name));

    public static VolumeException NotFound(string name) => new($"volume {name} does not exist", ErrorCategory.NotFound);

    public static VolumeException SnapshotNotFound(string name, string snapshot) =>
        new($"volume {name} has no snapshot {snapshot}", ErrorCategory.NotFound);

    public static VolumeException SnapshotExists(string name, string snapshot) =>
        new($"volume {name} already has a snapshot {snapshot}; delete it or choose another name", ErrorCategory.AlreadyExists);

    /// <summary>Adds the operation once, at the driver's boundary; I/O errors become VolumeExceptions too.</summary>
    public static void Wrap(string what, Action action) => Wrap(what, () =>
    {
        action();
        return 0;
    });

    public static T Wrap<T>(string what, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (IslanderException e) when (e is not VolumeException)
        {
            throw VolumeException.From(what, e);
        }
        catch (IOException e)
        {
            throw new VolumeException($"{what}: {e.Message}", Errno.Category(e.HResult), e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new VolumeException($"{what}: {e.Message}", ErrorCategory.Unknown, e);
        }
    }
}
