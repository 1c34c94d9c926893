namespace Islander.Drivers.Images;

/// <summary>How a tar archive is unpacked.</summary>
public sealed record UnpackOptions
{
    /// <summary>Turn <c>.wh.</c> entries into overlayfs whiteouts (char device 0:0, <c>trusted.overlay.opaque=y</c>). Off: keep them as plain files.</summary>
    public bool OverlayWhiteouts { get; init; } = true;

    /// <summary>Create character and block devices. Off (the default), device entries are skipped and counted.</summary>
    public bool AllowDevices { get; init; }

    /// <summary>Apply the archive's uid/gid. Only root can; when not root it is skipped whatever this says.</summary>
    public bool PreserveOwnership { get; init; } = true;

    /// <summary>Apply extended attributes from PAX headers (never <c>trusted.overlay.*</c>, which would steer overlayfs).</summary>
    public bool Xattrs { get; init; } = true;

    /// <summary>For a layer: what a layer is. For an archive being inspected (docker save): plain files only.</summary>
    public static UnpackOptions Layer { get; } = new();

    /// <summary>Plain extraction of an image archive's files (no whiteouts, owners, devices or xattrs).</summary>
    public static UnpackOptions Archive { get; } = new() { OverlayWhiteouts = false, PreserveOwnership = false, Xattrs = false };
}
