using Islander.Drivers.Interop;

namespace Islander.Drivers.Rootfs;

/// <summary>What the state directory's filesystem can do for <c>resources.disk</c>, and if nothing, why, in words a user can act on.</summary>
/// <param name="Kind">The mechanism; <see cref="LayerQuotaKind.None"/> when there is none.</param>
/// <param name="Reason">Why there is none (null otherwise).</param>
public sealed record LayerQuotaProbe(LayerQuotaKind Kind, string? Reason)
{
    const string Needs = "resources.disk needs the state directory on XFS mounted with prjquota, on ext4 with the project " +
                         "feature mounted with prjquota (tune2fs -O project,quota; mount -o prjquota), or on btrfs";

    /// <summary>
    /// The probe's verdict from what the kernel said.
    /// </summary>
    /// <param name="stateRoot">The state directory, for the message.</param>
    /// <param name="fsType">statfs f_type of the filesystem holding it.</param>
    /// <param name="quotaErrno">quotactl_fd(Q_XGETQSTATV, PRJQUOTA)'s errno; 0 when it answered.</param>
    /// <param name="quotaFlags">Its fs_quota_statv.qs_flags.</param>
    public static LayerQuotaProbe From(string stateRoot, long fsType, int quotaErrno, ushort quotaFlags)
    {
        if (fsType == FileSystemStats.BtrfsMagic)
            return new LayerQuotaProbe(LayerQuotaKind.Btrfs, null);
        if (quotaErrno == 0 && (quotaFlags & QuotaInterop.ProjectEnforced) != 0)
            return new LayerQuotaProbe(LayerQuotaKind.Project, null);
        string fs = fsType switch { FileSystemStats.XfsMagic => "XFS", FileSystemStats.Ext4Magic => "ext4", _ => $"a filesystem of type 0x{fsType:x}" };
        // ENOSYS is no answer to go by: the kernel gives it both without quotactl_fd (before 5.14) and for a filesystem
        // without quota support.
        string why = quotaErrno == 0 && (quotaFlags & QuotaInterop.ProjectAccounting) != 0 ? "project quotas are counted but not enforced (mounted with pqnoenforce)"
            : fsType is FileSystemStats.XfsMagic or FileSystemStats.Ext4Magic ? "project quotas are off (not mounted with prjquota, or a kernel without quota support for it)"
            : "it has no project quotas";
        return new LayerQuotaProbe(LayerQuotaKind.None, $"{Needs}; {stateRoot} is on {fs}: {why}");
    }
}
