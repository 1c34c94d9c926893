using System.Globalization;
using Islander.Model;

namespace Islander.Drivers.Cgroups;

/// <summary>
/// cgroup v2 (unified hierarchy): one group per isle at <c>&lt;root&gt;/&lt;parent&gt;/&lt;isle&gt;</c>, with the
/// cpu, cpuset, io, memory and pids controllers enabled down to it through each ancestor's cgroup.subtree_control.
/// </summary>
/// <remarks>
/// Devices: v2 has no devices controller; <see cref="Create"/> attaches a BPF_CGROUP_DEVICE program compiled from
/// the same rules v1 writes (<see cref="DeviceRules"/>, <see cref="DeviceFilterProgram"/>) to the isle's group, as
/// runc, crun and youki do. <see cref="DevicePolicy.AllowAll"/> attaches none (and removes islander's earlier one).
/// The parent group must hold no processes (v2's "no internal processes" rule), so do not put the daemon in it.
/// </remarks>
public sealed class CgroupV2Driver : ICgroupDriver
{
    /// <summary>The controllers islander enables for its groups, when the kernel offers them.</summary>
    static readonly CgroupController[] Controllers =
        [CgroupController.Cpu, CgroupController.Cpuset, CgroupController.Io, CgroupController.Memory, CgroupController.Pids];

    readonly string _root;
    readonly string _parent;
    readonly CgroupFs _fs;

    /// <param name="root">Where cgroup2 is mounted.</param>
    /// <param name="parent">The group that holds the isles' groups, relative to <paramref name="root"/>.</param>
    public CgroupV2Driver(string root = "/sys/fs/cgroup", string parent = "islander")
        : this(root, parent, CgroupFs.Kernel)
    {
    }

    internal CgroupV2Driver(string root, string parent, CgroupFs fs)
    {
        _root = root;
        _parent = CgroupName.Parent(parent);
        _fs = fs;
    }

    public CgroupVersion Version => CgroupVersion.V2;

    public void Create(string isle, IsleResources resources, DevicePolicy devices, CancellationToken cancellationToken)
    {
        string dir = Dir(isle);
        // Compile before creating anything, like the IO devices below: a policy that cannot be compiled leaves no trace.
        var filter = devices == DevicePolicy.AllowAll ? null : DeviceFilterProgram.For(devices);

        // Resolve IO devices before creating anything, so a wrong path leaves no trace.
        var numbers = resources.Io.Select(io => io.Device).Distinct().ToDictionary(d => d, _fs.ResolveBlockDevice);

        EnsureParent(cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        _fs.MakeDirectory(dir);
        // The filter first: it is the isolation, the limits after it are resource control.
        cancellationToken.ThrowIfCancellationRequested();
        _fs.SetDeviceFilter(dir, filter);

        Apply(dir, resources, numbers, cancellationToken);
    }

    public void Update(string isle, IsleResources resources, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string dir = Dir(isle);
        if (!_fs.DirectoryExists(dir))
            throw new CgroupException($"cannot update the limits of isle {isle}: no cgroup {dir}", ErrorCategory.NotFound);
        var numbers = resources.Io.Select(io => io.Device).Distinct().ToDictionary(d => d, _fs.ResolveBlockDevice);
        Apply(dir, resources, numbers, cancellationToken);
    }

    /// <summary>The limits' writes, in the plan's order, to the isle's existing group.</summary>
    void Apply(string dir, IsleResources resources, Dictionary<string, DeviceNumber> numbers, CancellationToken cancellationToken)
    {
        var current = new CgroupCurrent
        {
            SwapAccounting = _fs.FileExists(Path.Combine(dir, "memory.swap.max")),
            ThrottledDevices = CgroupText.ThrottledDevices(_fs.Read(Path.Combine(dir, "io.max"))).ToList(),
        };
        var plan = CgroupV2Plan.For(resources, current, d => numbers[d]);
        var enabled = CgroupText.Controllers(_fs.Read(Path.Combine(dir, "cgroup.controllers")));
        CgroupApply.Run(_fs, dir, plan, c => enabled.Contains(Name(c)) ? dir : null, cancellationToken);
    }

    public void AddProcess(string isle, int pid, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // 0 would mean "the writer": the daemon itself would move into the isle's group.
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pid);
        string dir = Dir(isle);
        if (!_fs.DirectoryExists(dir))
            throw new CgroupException($"cannot add process {pid}: no cgroup {dir}", ErrorCategory.NotFound);
        _fs.Write(Path.Combine(dir, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
    }

    public CgroupPaths Paths(string isle)
    {
        string dir = Dir(isle);
        return new CgroupPaths([dir], Path.Combine(dir, "memory.events")) { CloneInto = dir };
    }

    public bool Exists(string isle, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _fs.DirectoryExists(Dir(isle));
    }

    public IReadOnlySet<int> Processes(string isle, CancellationToken cancellationToken) =>
        CgroupReaper.ListPidsRacing(_fs, () => CgroupReaper.Subtree(_fs, Dir(isle)), cancellationToken);

    public CgroupStats Stats(string isle, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string dir = Dir(isle);
        if (!_fs.DirectoryExists(dir))
            throw new CgroupException($"no cgroup {dir}", ErrorCategory.NotFound);
        string? Read(string file) => _fs.Read(Path.Combine(dir, file));
        // cpu.stat's usage_usec is there without the cpu controller too (the core's cputime accounting).
        long? usec = CgroupText.Keyed(Read("cpu.stat"), "usage_usec");
        var io = CgroupText.V2IoStat(Read("io.stat"));
        return new CgroupStats(
            MemoryBytes: CgroupText.WorkingSet(CgroupText.Number(Read("memory.current")), Read("memory.stat"), "inactive_file"),
            CpuTime: usec is long u ? TimeSpan.FromMicroseconds(u) : null,
            Pids: CgroupText.Number(Read("pids.current")),
            OomKills: CgroupText.Keyed(Read("memory.events"), CgroupPaths.OomKillKey) ?? 0)
        {
            MemoryLimit = CgroupText.Number(Read("memory.max")),
            PidsLimit = CgroupText.Number(Read("pids.max")),
            IoReadBytes = io?.Read,
            IoWriteBytes = io?.Write,
        };
    }

    public Task FreezeAsync(string isle, bool frozen, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string dir = Dir(isle), freeze = Path.Combine(dir, "cgroup.freeze");
        if (!_fs.FileExists(freeze))
            throw new CgroupException($"no cgroup {dir}", ErrorCategory.NotFound);
        string want = frozen ? "1" : "0";
        // cgroup.freeze is the request; cgroup.events' "frozen" says when every task of the subtree is frozen (Linux 5.2).
        return CgroupFreezer.SetAsync(_fs, dir, frozen, () => _fs.Write(freeze, want), () => FrozenValue(dir) == want,
            () => _fs.Write(freeze, "0"), cancellationToken);
    }

    public bool Frozen(string isle, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return FrozenValue(Dir(isle)) == "1";
    }

    string? FrozenValue(string dir) => CgroupText.Keyed(_fs.Read(Path.Combine(dir, "cgroup.events")), "frozen")?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public async Task DeleteAsync(string isle, CancellationToken cancellationToken)
    {
        string dir = Dir(isle);
        if (!_fs.DirectoryExists(dir))
            return;

        // cgroup.kill (Linux 5.14) kills the whole subtree at once, forks included; older kernels get the SIGKILL loop alone.
        string kill = Path.Combine(dir, "cgroup.kill");
        if (_fs.FileExists(kill))
            _fs.Write(kill, "1");
        await CgroupReaper.KillUntilEmptyAsync(_fs, () => CgroupReaper.Subtree(_fs, dir), cancellationToken);
        await CgroupReaper.RemoveAsync(_fs, CgroupReaper.Subtree(_fs, dir), cancellationToken);
    }

    string Dir(string isle) => Path.Combine(_root, _parent, CgroupName.Isle(isle));

    /// <summary>
    /// mkdir of each level of the parent path, enabling our controllers in every ancestor's
    /// cgroup.subtree_control on the way (a controller reaches a group only if its parent delegates it).
    /// </summary>
    void EnsureParent(CancellationToken cancellationToken)
    {
        string level = _root;
        foreach (var segment in _parent.Split('/'))
        {
            cancellationToken.ThrowIfCancellationRequested();
            EnableControllers(level);
            level = Path.Combine(level, segment);
            _fs.MakeDirectory(level);
        }
        EnableControllers(level);
    }

    void EnableControllers(string group)
    {
        var available = CgroupText.Controllers(_fs.Read(Path.Combine(group, "cgroup.controllers")));
        var enabled = CgroupText.Controllers(_fs.Read(Path.Combine(group, "cgroup.subtree_control")));
        // One write per controller, so that a refusal (EBUSY: the group holds processes) names the controller.
        foreach (var name in Controllers.Select(Name).Where(n => available.Contains(n) && !enabled.Contains(n)))
            _fs.Write(Path.Combine(group, "cgroup.subtree_control"), "+" + name);
    }

    static string Name(CgroupController c) => c switch
    {
        CgroupController.Cpu => "cpu",
        CgroupController.Cpuset => "cpuset",
        CgroupController.Io => "io",
        CgroupController.Memory => "memory",
        CgroupController.Pids => "pids",
        _ => c.ToString().ToLowerInvariant(), // no v2 controller: never in cgroup.controllers
    };
}
