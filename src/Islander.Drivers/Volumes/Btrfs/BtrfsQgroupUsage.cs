namespace Islander.Drivers.Volumes.Btrfs;

/// <summary>
/// A subvolume's qgroup numbers as the kernel exports them (kernel 5.9+):
/// <c>/sys/fs/btrfs/&lt;fsid&gt;/qgroups/0_&lt;subvolid&gt;/{referenced,max_referenced}</c>. The sysfs directory
/// <c>qgroups</c> exists only while quotas are enabled.
/// </summary>
/// <param name="Referenced">Bytes the subvolume references (data and its own metadata), shared with snapshots or not.</param>
/// <param name="MaxReferenced">The referenced-bytes limit; null when none is set (the kernel shows 0).</param>
public sealed record BtrfsQgroupUsage(long Referenced, long? MaxReferenced)
{
    /// <summary>The qgroups directory of a filesystem; <paramref name="sysfs"/> is /sys/fs/btrfs except in tests.</summary>
    public static string QgroupsDirectory(string fsUuid, string sysfs = "/sys/fs/btrfs") => Path.Combine(sysfs, fsUuid, "qgroups");

    /// <summary>The numbers of qgroup 0/<paramref name="subvolumeId"/>; null when quotas are off or it has no qgroup.</summary>
    public static BtrfsQgroupUsage? Read(string qgroupsDirectory, ulong subvolumeId)
    {
        string dir = Path.Combine(qgroupsDirectory, $"0_{subvolumeId}");
        if (!Directory.Exists(dir))
            return null;
        return Parse(File.ReadAllText(Path.Combine(dir, "referenced")), File.ReadAllText(Path.Combine(dir, "max_referenced")));
    }

    /// <summary>Parses the two files' text (a decimal number and a newline each).</summary>
    public static BtrfsQgroupUsage Parse(string referenced, string maxReferenced)
    {
        long max = long.Parse(maxReferenced.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return new BtrfsQgroupUsage(long.Parse(referenced.Trim(), System.Globalization.CultureInfo.InvariantCulture), max == 0 ? null : max);
    }
}
