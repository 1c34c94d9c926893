namespace Islander.Testing;

/// <summary>
/// An assembly fixture: removes, when the test run ends, the default cgroup parent (<c>islander</c>) of each hierarchy
/// that the run created, so that a machine the tests ran on keeps no empty group of theirs. A parent that was there
/// before the run (a daemon's, an earlier run's) is left alone, and one still holding a group is kept (rmdir refuses
/// it): an isle the run leaked stays visible.
/// </summary>
public sealed class CgroupParentCleanup : IDisposable
{
    const string Parent = "islander";

    readonly HashSet<string> _before = [.. Parents()];

    static IEnumerable<string> Parents() =>
        Directory.Exists("/sys/fs/cgroup")
            ? Directory.GetDirectories("/sys/fs/cgroup").Select(h => Path.Combine(h, Parent)).Where(Directory.Exists)
            : [];

    public void Dispose()
    {
        foreach (string parent in Parents().Where(p => !_before.Contains(p)))
        {
            try
            {
                Directory.Delete(parent); // a cgroup directory: its files go with it, and rmdir fails while it holds a group
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}
