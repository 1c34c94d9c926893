using Islander.Drivers.Interop;
using Islander.Model;

namespace Islander.Drivers.Cgroups;

/// <summary>Empties and removes groups: the part of Delete that v1 and v2 share.</summary>
internal static class CgroupReaper
{
    /// <summary>How long processes may take to die and leave before Delete gives up (Transient).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary><paramref name="dir"/> and every group below it, deepest first (the order rmdir needs); none when it does not exist.</summary>
    public static List<string> Subtree(CgroupFs fs, string dir)
    {
        var result = new List<string>();
        // A group never made (a first start looks for its processes four times) or gone: nothing to list. Before, its
        // missing cgroup.procs was read in each hierarchy, an exception each: 9 % of islanderd's CPU in 50 first starts.
        if (fs.DirectoryExists(dir))
            Walk(dir);
        return result;

        void Walk(string d)
        {
            foreach (var child in fs.ChildDirectories(d))
                Walk(child);
            result.Add(d);
        }
    }

    /// <summary>
    /// Sends SIGKILL to every pid listed in the groups until none is listed; each round re-reads them, so forks that
    /// raced the kill are caught. Between rounds it awaits a short delay: a thread of the pool is not held for the
    /// seconds a group of dying processes may take.
    /// </summary>
    public static async Task KillUntilEmptyAsync(CgroupFs fs, Func<IEnumerable<string>> groups, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var pids = ListPids(fs, groups());
            if (pids.Count == 0)
                return;
            if (DateTime.UtcNow > deadline)
                throw new CgroupException(
                    $"processes {string.Join(", ", pids)} are still in {string.Join(", ", groups())} {Timeout.TotalSeconds:0} s after SIGKILL",
                    ErrorCategory.Transient);
            foreach (int pid in pids)
                fs.Kill(pid);
            await fs.PauseAsync(cancellationToken);
        }
    }

    public static SortedSet<int> ListPids(CgroupFs fs, IEnumerable<string> groups)
    {
        var pids = new SortedSet<int>();
        foreach (var group in groups)
            pids.UnionWith(CgroupText.Pids(fs.Read(Path.Combine(group, "cgroup.procs"))));
        return pids;
    }

    /// <summary>
    /// <see cref="ListPids"/> for a look while others may remove the groups: a group removed meanwhile (ENOENT, or
    /// ENODEV from v1's cgroup.procs of a group being removed) has no processes.
    /// </summary>
    public static SortedSet<int> ListPidsRacing(CgroupFs fs, Func<IEnumerable<string>> groups, CancellationToken cancellationToken)
    {
        var pids = new SortedSet<int>();
        try
        {
            foreach (var group in groups())
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    pids.UnionWith(CgroupText.Pids(fs.Read(Path.Combine(group, "cgroup.procs"))));
                }
                catch (IOException e) when (e.HResult == Errno.ENODEV)
                {
                    // v1 answers ENODEV when cgroup.procs of a group being removed is read: the group is going, and
                    // so are its processes (ENOENT, a group already gone, is Read's null). Any other error is real.
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // a sub-group went while the tree was walked: what was read so far is all there is
        }
        return pids;
    }

    /// <summary>
    /// rmdir of every group in <paramref name="dirs"/> (deepest first) while none is busy: true when all went, false at
    /// the first that still has a task (or a process that is still leaving it), which is left with those after it.
    /// </summary>
    public static bool TryRemoveEmpty(CgroupFs fs, IEnumerable<string> dirs)
    {
        foreach (var dir in dirs)
        {
            try
            {
                fs.RemoveDirectory(dir);
            }
            catch (CgroupException e) when (e.Errno == Errno.EBUSY)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// rmdir of every group in <paramref name="dirs"/> (deepest first). A dead process can keep its group
    /// busy for a moment after it left cgroup.procs, so EBUSY is retried until <see cref="Timeout"/>.
    /// </summary>
    public static async Task RemoveAsync(CgroupFs fs, IEnumerable<string> dirs, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Timeout;
        foreach (var dir in dirs)
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    fs.RemoveDirectory(dir);
                    break;
                }
                catch (CgroupException e) when (e.Errno == Errno.EBUSY && DateTime.UtcNow < deadline)
                {
                    await fs.PauseAsync(cancellationToken);
                }
            }
        }
    }
}
