namespace Islander.Testing;

/// <summary>Block devices of the test host.</summary>
public static class HostDevices
{
    /// <summary>
    /// The whole disk holding / (its /dev path and "major:minor"): IO throttles apply to disks, so a
    /// partition is taken up to its disk. Skips off root; as root, fails on a host without one.
    /// </summary>
    public static (string Path, string Number) RootDisk()
    {
        var root = File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')).First(f => f[4] == "/");
        string? sys = new DirectoryInfo($"/sys/dev/block/{root[2]}").ResolveLinkTarget(true)?.FullName;
        HostCaps.Require(sys is not null, $"a block device under / ({root[2]} is not in /sys/dev/block)");
        // A partition's directory sits inside its disk's; a whole disk has no "partition" file.
        string disk = File.Exists(Path.Combine(sys!, "partition")) ? Path.GetDirectoryName(sys)! : sys!;
        string path = "/dev/" + Path.GetFileName(disk);
        HostCaps.Require(File.Exists(path), path);
        return (path, File.ReadAllText(Path.Combine(disk, "dev")).Trim());
    }
}
