namespace Islander.Drivers.Volumes;

/// <summary>The data string of a tmpfs volume's mount(2), as <c>mount -t tmpfs -o ...</c> takes it. Pure.</summary>
public static class TmpfsMountData
{
    /// <summary>0755, as a dir volume: root owns it, isles running as root write it.</summary>
    public const int Mode = 0b111_101_101;

    /// <summary>
    /// <c>mode=0755,size=BYTES</c>. Without a size tmpfs takes its default, half of RAM (Docker's <c>--tmpfs</c>
    /// takes no size either); islander never mounts an unlimited tmpfs (size=0), which can take all memory.
    /// </summary>
    public static string Format(long? size) =>
        size is { } bytes ? $"mode=0{Convert.ToString(Mode, 8)},size={bytes}" : $"mode=0{Convert.ToString(Mode, 8)}";

    /// <summary>The data string of a remount that changes only the size; null means the default, half of RAM.</summary>
    public static string Resize(long? size) => size is { } bytes ? $"size={bytes}" : "size=50%";

    /// <summary>The size tmpfs keeps for <paramref name="size"/>: it counts whole pages, rounding up (shmem_parse_one).</summary>
    public static long Rounded(long size, int pageSize) => (size + pageSize - 1) / pageSize * pageSize;
}
