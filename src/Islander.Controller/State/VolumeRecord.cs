using Islander.Model;

namespace Islander.Controller.State;

/// <summary>
/// Actual state of one named volume as LiteDB stores it: the spec it was made with (so a volume whose manifest was
/// removed is still deleted or retained by its own reclaimPolicy, and a driver change is noticed), what the driver
/// reported last (path, size limit, bytes used), and the isles that mount it. The driver, not this record, says
/// whether the volume exists: every pass asks it again.
/// </summary>
public sealed class VolumeRecord
{
    /// <summary>The volume's name (LiteDB id).</summary>
    public string Name { get; set; } = "";

    /// <summary>The driver made it (Create succeeded once): <see cref="Driver"/>, <see cref="Size"/> and <see cref="ReclaimPolicy"/> are what it was made with.</summary>
    public bool Created { get; set; }
    public VolumeDriverKind Driver { get; set; }
    public long? Size { get; set; }
    public ReclaimPolicy ReclaimPolicy { get; set; }

    public VolumePhase Phase { get; set; }
    public string? Reason { get; set; }
    public string? Message { get; set; }

    /// <summary>The host path isles bind-mount.</summary>
    public string? Path { get; set; }
    public long? SizeLimit { get; set; }
    public long? BytesUsed { get; set; }
    public List<string> Snapshots { get; set; } = [];

    /// <summary>Isles started with the volume mounted and not deleted since: a volume with reclaimPolicy Delete waits for them.</summary>
    public List<string> Users { get; set; } = [];

    public VolumeSpec Spec => new() { Driver = Driver, Size = Size, ReclaimPolicy = ReclaimPolicy };

    public VolumeRecord Clone()
    {
        var c = (VolumeRecord)MemberwiseClone();
        c.Snapshots = [.. Snapshots];
        c.Users = [.. Users];
        return c;
    }
}
