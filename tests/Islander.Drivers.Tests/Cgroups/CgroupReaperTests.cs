using Islander.Drivers.Cgroups;

namespace Islander.Drivers.Tests.Cgroups;

public sealed class CgroupReaperTests
{
    const int ENODEV = 19, EACCES = 13;

    /// <summary>cgroup.procs of each group: its pids, or the errno reading it fails with.</summary>
    sealed class ProcsFs(Dictionary<string, object> procs) : CgroupFs
    {
        public override string? Read(string path) => procs[Path.GetDirectoryName(path)!] switch
        {
            int errno => throw new IOException($"read {path}", errno),
            var text => (string)text,
        };
    }

    [Fact]
    public void ListPidsRacing_GroupBeingRemoved_ENODEV_HasNoProcesses()
    {
        var fs = new ProcsFs(new() { ["/cg/a"] = "7\n9\n", ["/cg/b"] = ENODEV });

        var pids = CgroupReaper.ListPidsRacing(fs, () => ["/cg/a", "/cg/b"], TestContext.Current.CancellationToken);

        Assert.Equal([7, 9], pids);
    }

    [Fact]
    public void ListPidsRacing_OtherReadError_Thrown()
    {
        var fs = new ProcsFs(new() { ["/cg/a"] = "7\n", ["/cg/b"] = EACCES });

        var e = Assert.Throws<IOException>(() => CgroupReaper.ListPidsRacing(fs, () => ["/cg/a", "/cg/b"], TestContext.Current.CancellationToken));

        Assert.Equal(EACCES, e.HResult);
    }
}
