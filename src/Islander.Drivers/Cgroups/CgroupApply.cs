using Islander.Model;

namespace Islander.Drivers.Cgroups;

/// <summary>Carries out a plan's writes in order: the one place where plans meet files.</summary>
internal static class CgroupApply
{
    /// <param name="group">The isle's group, for messages.</param>
    /// <param name="directoryOf">The isle's directory for a controller's files; null when the host lacks the controller.</param>
    public static void Run(CgroupFs fs, string group, IEnumerable<CgroupWrite> writes, Func<CgroupController, string?> directoryOf,
        CancellationToken cancellationToken)
    {
        foreach (var write in writes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? dir = directoryOf(write.Controller);
            if (dir is null)
            {
                if (write.Reset)
                    continue;
                throw new CgroupException(
                    $"cannot set {write}: the {write.Controller.ToString().ToLowerInvariant()} controller is not available for {group}",
                    ErrorCategory.Unsupported);
            }

            string path = Path.Combine(dir, write.File);
            // Defaults are only written where the kernel has the file (e.g. no cpu.cfs_quota_us without CONFIG_CFS_BANDWIDTH).
            if (write.Reset && !fs.FileExists(path))
                continue;
            fs.Write(path, write.Value);
        }
    }
}
