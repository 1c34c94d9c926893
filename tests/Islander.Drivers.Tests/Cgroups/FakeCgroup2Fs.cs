using System.Globalization;
using Islander.Drivers.Cgroups;

namespace Islander.Drivers.Tests.Cgroups;

/// <summary>
/// A cgroup2 tree in a temp dir that plays the kernel's part, so the v2 driver runs unchanged without root:
/// mkdir creates the control files of the controllers the parent delegates, cgroup.procs moves a pid
/// between groups, cgroup.subtree_control checks availability and the no-internal-processes rule, cgroup.kill
/// SIGKILLs the (real) processes listed, io.max merges per-device lines, rmdir refuses a populated group and
/// otherwise takes the group's device filter with it. A device filter is recorded, not loaded: tests run the
/// recorded program through <see cref="EbpfInterpreter"/> (the kernel test is CgroupV2DeviceFilterTests). Values are checked as loosely as the kernel parses them; the files hold what was last written.
/// </summary>
internal sealed class FakeCgroup2Fs : CgroupFs, IDisposable
{
    const int ENOENT = 2, ESRCH = 3, EBUSY = 16, EINVAL = 22;

    public FakeCgroup2Fs(string controllers = "cpuset cpu io memory hugetlb pids rdma misc", bool cgroupKill = true, bool swap = true)
    {
        Root = Path.Combine(Path.GetTempPath(), "islander-cgfs-" + Guid.NewGuid().ToString("N")[..10]);
        CgroupKill = cgroupKill;
        Swap = swap;
        Directory.CreateDirectory(Root);
        File.WriteAllText(Path.Combine(Root, "cgroup.controllers"), controllers + "\n");
        File.WriteAllText(Path.Combine(Root, "cgroup.subtree_control"), "");
        File.WriteAllText(Path.Combine(Root, "cgroup.procs"), "");
    }

    public string Root { get; }

    public bool CgroupKill { get; }

    public bool Swap { get; }

    /// <summary>Block devices by path; other paths are stat()ed for real.</summary>
    public Dictionary<string, DeviceNumber> BlockDevices { get; } = [];

    /// <summary>File name → errno to fail every write to such a file with (EBUSY on memory.max, say).</summary>
    public Dictionary<string, int> FailWrites { get; } = [];

    /// <summary>The device filter attached to each group (BPF_CGROUP_DEVICE), by directory.</summary>
    public Dictionary<string, IReadOnlyList<EbpfInstruction>> DeviceFilters { get; } = [];

    public override void SetDeviceFilter(string group, IReadOnlyList<EbpfInstruction>? program)
    {
        if (!Directory.Exists(group))
            throw CgroupException.SyscallFailed("open", group, ENOENT);
        if (program is null)
            DeviceFilters.Remove(group);
        else
            DeviceFilters[group] = program;
    }

    public string Text(params string[] parts) => File.ReadAllText(Path.Combine([Root, .. parts])).Trim();

    public override bool MakeDirectory(string path)
    {
        if (Directory.Exists(path))
            return false;
        string parent = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(parent))
            throw CgroupException.SyscallFailed("mkdir", path, ENOENT);
        Directory.CreateDirectory(path);

        var enabled = CgroupText.Controllers(File.ReadAllText(Path.Combine(parent, "cgroup.subtree_control")));
        var files = new Dictionary<string, string>
        {
            ["cgroup.controllers"] = string.Join(' ', enabled.Order()),
            ["cgroup.subtree_control"] = "",
            ["cgroup.procs"] = "",
            ["cgroup.events"] = "populated 0\nfrozen 0\n",
            ["cgroup.freeze"] = "0\n",
            ["cgroup.type"] = "domain\n",
        };
        if (CgroupKill)
            files["cgroup.kill"] = "";
        if (enabled.Contains("cpu"))
        {
            files["cpu.max"] = "max 100000\n";
            files["cpu.weight"] = "100\n";
            files["cpu.stat"] = "usage_usec 0\nuser_usec 0\nsystem_usec 0\n";
        }
        if (enabled.Contains("cpuset"))
        {
            files["cpuset.cpus"] = "\n";
            files["cpuset.mems"] = "\n";
            files["cpuset.cpus.effective"] = "0-1\n";
        }
        if (enabled.Contains("memory"))
        {
            files["memory.max"] = "max\n";
            files["memory.current"] = "0\n";
            files["memory.stat"] = "anon 0\nfile 0\nkernel 0\nshmem 0\nactive_anon 0\ninactive_anon 0\nactive_file 0\ninactive_file 0\n";
            files["memory.events"] = "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n";
            files["memory.oom.group"] = "0\n";
            if (Swap)
                files["memory.swap.max"] = "max\n";
        }
        if (enabled.Contains("io"))
        {
            files["io.max"] = "";
            files["io.stat"] = ""; // a line per device once the group has done IO
        }
        if (enabled.Contains("pids"))
        {
            files["pids.max"] = "max\n";
            files["pids.current"] = "0\n";
        }
        foreach (var (name, content) in files)
            File.WriteAllText(Path.Combine(path, name), content);
        return true;
    }

    public override bool RemoveDirectory(string path)
    {
        if (!Directory.Exists(path))
            return false;
        if (Directory.EnumerateDirectories(path).Any() || Pids(path).Count > 0)
            throw CgroupException.SyscallFailed("rmdir", path, EBUSY);
        Directory.Delete(path, recursive: true); // the kernel drops the control files with the group
        DeviceFilters.Remove(path);               // and detaches its programs
        return true;
    }

    public override void Write(string path, string value)
    {
        string dir = Path.GetDirectoryName(path)!, name = Path.GetFileName(path);
        if (!File.Exists(path))
            throw CgroupException.WriteFailed(path, value, ENOENT);
        if (FailWrites.TryGetValue(name, out int errno))
            throw CgroupException.WriteFailed(path, value, errno);
        string v = value.Trim();
        switch (name)
        {
            case "cgroup.procs":
                if (!int.TryParse(v, CultureInfo.InvariantCulture, out int pid) || pid < 0)
                    throw CgroupException.WriteFailed(path, value, EINVAL);
                if (!Directory.Exists($"/proc/{pid}"))
                    throw CgroupException.WriteFailed(path, value, ESRCH);
                if (dir != Root && Read(Path.Combine(dir, "cgroup.subtree_control"))!.Trim().Length > 0)
                    throw CgroupException.WriteFailed(path, value, EBUSY);
                foreach (var group in Groups(Root))
                    SetPids(group, Pids(group).Where(p => p != pid));
                SetPids(dir, [.. Pids(dir), pid]);
                return;

            case "cgroup.subtree_control":
                var available = CgroupText.Controllers(Read(Path.Combine(dir, "cgroup.controllers")));
                var enabled = new SortedSet<string>(CgroupText.Controllers(Read(path)), StringComparer.Ordinal);
                if (dir != Root && Pids(dir).Count > 0)
                    throw CgroupException.WriteFailed(path, value, EBUSY);
                foreach (var token in v.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    string c = token[1..];
                    if (token[0] is not ('+' or '-'))
                        throw CgroupException.WriteFailed(path, value, EINVAL);
                    if (!available.Contains(c))
                        throw CgroupException.WriteFailed(path, value, ENOENT);
                    if (token[0] == '+')
                        enabled.Add(c);
                    else
                        enabled.Remove(c);
                }
                File.WriteAllText(path, string.Join(' ', enabled) + "\n");
                return;

            case "cgroup.freeze":
                // The kernel freezes the tasks, then says so in cgroup.events (of the group and every descendant).
                if (v is not ("0" or "1"))
                    throw CgroupException.WriteFailed(path, value, EINVAL);
                File.WriteAllText(path, v + "\n");
                foreach (var group in Groups(dir))
                {
                    string events = Path.Combine(group, "cgroup.events");
                    string populated = CgroupText.Keyed(File.ReadAllText(events), "populated")?.ToString(CultureInfo.InvariantCulture) ?? "0";
                    File.WriteAllText(events, $"populated {populated}\nfrozen {v}\n");
                }
                return;

            case "cgroup.kill":
                if (v != "1")
                    throw CgroupException.WriteFailed(path, value, EINVAL);
                foreach (var group in Groups(dir))
                {
                    foreach (int p in Pids(group))
                        base.Kill(p);
                    SetPids(group, []);
                }
                return;

            case "io.max":
                var fields = v.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 2 || !DeviceNumber.TryParse(fields[0], out _))
                    throw CgroupException.WriteFailed(path, value, EINVAL);
                var lines = (Read(path) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    .Where(l => !l.StartsWith(fields[0] + " ", StringComparison.Ordinal)).ToList();
                if (!fields.Skip(1).All(f => f.EndsWith("=max", StringComparison.Ordinal)))
                    lines.Add(v);
                File.WriteAllText(path, string.Concat(lines.Select(l => l + "\n")));
                return;

            case "memory.max" or "memory.swap.max" or "pids.max":
                if (v != "max" && !long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    throw CgroupException.WriteFailed(path, value, EINVAL);
                break;

            case "memory.oom.group": // kstrtoint, then 0 or 1 (memory_oom_group_write)
                if (v is not ("0" or "1"))
                    throw CgroupException.WriteFailed(path, value, EINVAL);
                break;

            case "cpu.weight":
                if (!long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out long w) || w is < 1 or > 10000)
                    throw CgroupException.WriteFailed(path, value, EINVAL);
                break;

            case "cpu.max":
                var parts = v.Split(' ');
                if (parts.Length > 2 || (parts[0] != "max" && !long.TryParse(parts[0], out _)))
                    throw CgroupException.WriteFailed(path, value, EINVAL);
                break;
        }
        File.WriteAllText(path, v + "\n");
    }

    /// <summary>cgroup.procs lists live processes only: the kernel drops a task from it when it exits (zombies included).</summary>
    public override string? Read(string path)
    {
        string? content = base.Read(path);
        if (content is null || Path.GetFileName(path) != "cgroup.procs")
            return content;
        return string.Concat(CgroupText.Pids(content).Where(IsLive).Select(p => $"{p}\n"));
    }

    static bool IsLive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z') == false;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }

    public override DeviceNumber ResolveBlockDevice(string path) =>
        BlockDevices.TryGetValue(path, out var d) ? d : base.ResolveBlockDevice(path);

    /// <summary>When set, every pause between two polls of a group being emptied waits for this task: the test decides when time has passed.</summary>
    public Task? PauseGate { get; set; }

    public override Task PauseAsync(CancellationToken cancellationToken) =>
        PauseGate?.WaitAsync(cancellationToken) ?? Task.Delay(1, cancellationToken);

    public void Dispose()
    {
        if (Directory.Exists(Root))
            Directory.Delete(Root, recursive: true);
    }

    List<int> Pids(string group) => CgroupText.Pids(Read(Path.Combine(group, "cgroup.procs"))).ToList();

    static void SetPids(string group, IEnumerable<int> pids) =>
        File.WriteAllText(Path.Combine(group, "cgroup.procs"), string.Concat(pids.Select(p => $"{p}\n")));

    static IEnumerable<string> Groups(string top) =>
        Directory.EnumerateDirectories(top, "*", SearchOption.AllDirectories).Prepend(top);
}
