using System.Buffers.Binary;
using System.Text;

namespace Islander.Drivers.Volumes.Btrfs;

/// <summary>
/// The btrfs ioctls islander uses, with their numbers and argument structures as bytes (include/uapi/linux/btrfs.h;
/// documented in btrfs-progs' Documentation/btrfs-ioctl.rst). Pure: the unit tests check every size, offset and
/// number against the values the kernel header gives (printed once with gcc, see BtrfsIoctlTests).
/// All fields are native-endian (little-endian on every platform .NET runs Linux on).
/// </summary>
public static class BtrfsIoctl
{
    const uint IocWrite = 1, IocRead = 2;
    const uint Magic = 0x94; // BTRFS_IOCTL_MAGIC

    /// <summary>sizeof(struct btrfs_ioctl_vol_args): __s64 fd; char name[BTRFS_PATH_NAME_MAX + 1] (4087 + 1).</summary>
    public const int VolArgsSize = 4096;
    public const int PathNameMax = 4087;

    /// <summary>sizeof(struct btrfs_ioctl_vol_args_v2): fd, transid, flags, a 32-byte union, name[BTRFS_SUBVOL_NAME_MAX + 1] at 56.</summary>
    public const int VolArgsV2Size = 4096;
    public const int SubvolNameMax = 4039;
    const int VolArgsV2NameOffset = 56;

    /// <summary>sizeof(struct btrfs_ioctl_qgroup_limit_args): qgroupid, then struct btrfs_qgroup_limit (flags, max_rfer, max_excl, rsv_rfer, rsv_excl).</summary>
    public const int QgroupLimitArgsSize = 48;

    /// <summary>sizeof(struct btrfs_ioctl_quota_ctl_args): cmd, status.</summary>
    public const int QuotaCtlArgsSize = 16;

    /// <summary>sizeof(struct btrfs_ioctl_ino_lookup_args): treeid, objectid, name[4080].</summary>
    public const int InoLookupArgsSize = 4096;

    /// <summary>sizeof(struct btrfs_ioctl_fs_info_args): max_id, num_devices, fsid[16] at 16, ...</summary>
    public const int FsInfoArgsSize = 1024;

    /// <summary>The objectid of every subvolume's root directory (BTRFS_FIRST_FREE_OBJECTID): its inode number is 256.</summary>
    public const ulong FirstFreeObjectId = 256;

    /// <summary>max_rfer = (u64)-1 with the MAX_RFER flag clears the limit (the kernel's CLEAR_VALUE; btrfs qgroup limit none).</summary>
    public const ulong ClearLimit = ulong.MaxValue;

    /// <summary>_IOW(0x94, 14, struct btrfs_ioctl_vol_args). Equivalent to: btrfs subvolume create DIR/NAME (fd: DIR).</summary>
    public static readonly ulong SubvolCreate = Ioc(IocWrite, 14, VolArgsSize);

    /// <summary>_IOW(0x94, 15, struct btrfs_ioctl_vol_args). Equivalent to: btrfs subvolume delete DIR/NAME (fd: DIR).</summary>
    public static readonly ulong SnapDestroy = Ioc(IocWrite, 15, VolArgsSize);

    /// <summary>_IOWR(0x94, 18, struct btrfs_ioctl_ino_lookup_args). With treeid 0 and objectid 256 it returns the fd's subvolume id.</summary>
    public static readonly ulong InoLookup = Ioc(IocWrite | IocRead, 18, InoLookupArgsSize);

    /// <summary>_IOW(0x94, 23, struct btrfs_ioctl_vol_args_v2). Equivalent to: btrfs subvolume snapshot [-r] SRC DIR/NAME (fd: DIR; args.fd: SRC).</summary>
    public static readonly ulong SnapCreateV2 = Ioc(IocWrite, 23, VolArgsV2Size);

    /// <summary>_IOR(0x94, 31, struct btrfs_ioctl_fs_info_args): the filesystem's UUID, which names it in /sys/fs/btrfs.</summary>
    public static readonly ulong FsInfo = Ioc(IocRead, 31, FsInfoArgsSize);

    /// <summary>_IOWR(0x94, 40, struct btrfs_ioctl_quota_ctl_args). Equivalent to: btrfs quota enable PATH.</summary>
    public static readonly ulong QuotaCtl = Ioc(IocWrite | IocRead, 40, QuotaCtlArgsSize);

    /// <summary>
    /// _IOR(0x94, 43, struct btrfs_ioctl_qgroup_limit_args) — _IOR although the kernel only reads it, a historical
    /// quirk the number keeps. Equivalent to: btrfs qgroup limit SIZE 0/ID PATH.
    /// </summary>
    public static readonly ulong QgroupLimit = Ioc(IocRead, 43, QgroupLimitArgsSize);

    /// <summary>_IO(0x94, 46). Equivalent to: btrfs quota rescan -w PATH (waits for a running rescan).</summary>
    public static readonly ulong QuotaRescanWait = Ioc(0, 46, 0);

    /// <summary>_IOW(0x94, 63, struct btrfs_ioctl_vol_args_v2): delete by name, or by id with BTRFS_SUBVOL_SPEC_BY_ID (kernel 5.7+).</summary>
    public static readonly ulong SnapDestroyV2 = Ioc(IocWrite, 63, VolArgsV2Size);

    /// <summary>The kernel's _IOC(dir, type, nr, size) (asm-generic/ioctl.h): dir:2 | size:14 | type:8 | nr:8.</summary>
    public static ulong Ioc(uint direction, uint number, int size) =>
        ((ulong)direction << 30) | ((ulong)(uint)size << 16) | (Magic << 8) | number;

    /// <summary>struct btrfs_ioctl_vol_args { fd = 0, name }.</summary>
    public static byte[] VolArgs(string name)
    {
        var args = new byte[VolArgsSize];
        WriteName(args.AsSpan(8), name, PathNameMax);
        return args;
    }

    /// <summary>struct btrfs_ioctl_vol_args_v2 { fd, flags, name } (transid, size and qgroup_inherit 0).</summary>
    public static byte[] VolArgsV2(long fd, BtrfsSubvolFlags flags, string name)
    {
        var args = new byte[VolArgsV2Size];
        BinaryPrimitives.WriteInt64LittleEndian(args, fd);
        BinaryPrimitives.WriteUInt64LittleEndian(args.AsSpan(16), (ulong)flags);
        WriteName(args.AsSpan(VolArgsV2NameOffset), name, SubvolNameMax);
        return args;
    }

    /// <summary>struct btrfs_ioctl_vol_args_v2 { flags = SPEC_BY_ID, subvolid } for BTRFS_IOC_SNAP_DESTROY_V2.</summary>
    public static byte[] VolArgsV2ById(ulong subvolumeId)
    {
        var args = new byte[VolArgsV2Size];
        BinaryPrimitives.WriteUInt64LittleEndian(args.AsSpan(16), (ulong)BtrfsSubvolFlags.SpecById);
        BinaryPrimitives.WriteUInt64LittleEndian(args.AsSpan(VolArgsV2NameOffset), subvolumeId);
        return args;
    }

    /// <summary>
    /// struct btrfs_ioctl_qgroup_limit_args with the referenced-bytes limit (what <c>btrfs qgroup limit</c> sets
    /// without -e): every byte the subvolume references counts, shared with a snapshot or not, as a disk would.
    /// null clears the limit.
    /// </summary>
    public static byte[] QgroupLimitArgs(ulong qgroupId, long? maxReferenced)
    {
        var args = new byte[QgroupLimitArgsSize];
        BinaryPrimitives.WriteUInt64LittleEndian(args, qgroupId);
        BinaryPrimitives.WriteUInt64LittleEndian(args.AsSpan(8), (ulong)BtrfsQgroupLimitFlags.MaxReferenced);
        BinaryPrimitives.WriteUInt64LittleEndian(args.AsSpan(16), maxReferenced is { } max ? (ulong)max : ClearLimit);
        return args;
    }

    /// <summary>struct btrfs_ioctl_quota_ctl_args { cmd }.</summary>
    public static byte[] QuotaCtlArgs(BtrfsQuotaCommand command)
    {
        var args = new byte[QuotaCtlArgsSize];
        BinaryPrimitives.WriteUInt64LittleEndian(args, (ulong)command);
        return args;
    }

    /// <summary>struct btrfs_ioctl_ino_lookup_args { treeid = 0, objectid = 256 }: asks for the subvolume of the fd (btrfs-progs' lookup_path_rootid).</summary>
    public static byte[] InoLookupArgs()
    {
        var args = new byte[InoLookupArgsSize];
        BinaryPrimitives.WriteUInt64LittleEndian(args.AsSpan(8), FirstFreeObjectId);
        return args;
    }

    /// <summary>The treeid the kernel wrote back into btrfs_ioctl_ino_lookup_args: the subvolume id.</summary>
    public static ulong InoLookupTreeId(ReadOnlySpan<byte> args) => BinaryPrimitives.ReadUInt64LittleEndian(args);

    /// <summary>The fsid of btrfs_ioctl_fs_info_args as /sys/fs/btrfs names it: 8-4-4-4-12 lower-case hex in byte order.</summary>
    public static string FsInfoUuid(ReadOnlySpan<byte> args)
    {
        var hex = Convert.ToHexStringLower(args.Slice(16, 16));
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    /// <summary>The qgroup id of a subvolume's own qgroup, level 0: 0/ID is just ID (level sits in the top 16 bits).</summary>
    public static ulong QgroupId(ulong subvolumeId) => subvolumeId & 0x0000_FFFF_FFFF_FFFF;

    static void WriteName(Span<byte> field, string name, int max)
    {
        int length = Encoding.UTF8.GetByteCount(name);
        if (length == 0 || length > max || name.Contains('/') || name.Contains('\0'))
            throw new ArgumentException($"'{name}' cannot name a btrfs subvolume (1 to {max} bytes, no '/' or NUL)", nameof(name));
        Encoding.UTF8.GetBytes(name, field);
    }
}
