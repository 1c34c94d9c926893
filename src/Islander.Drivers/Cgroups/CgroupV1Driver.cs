using System.Globalization;
using Islander.Model;

namespace Islander.Drivers.Cgroups;

/// <summary>
/// cgroup v1 (one hierarchy per controller, also the "hybrid" layout): one group per isle in every hierarchy
/// islander uses, <c>&lt;root&gt;/&lt;controller&gt;/&lt;parent&gt;/&lt;isle&gt;</c>. Co-mounted hierarchies
/// (<c>cpu,cpuacct</c> reached through the <c>cpu</c> and <c>cpuacct</c> symlinks) are fine: the second mkdir finds the group.
/// </summary>
/// <remarks>
/// Besides the controllers, the isle joins the same group in the hierarchies without controllers that a service manager
/// tracks processes by (<see cref="TrackingHierarchyNames"/>), as runc's v1 manager joins every hierarchy of
/// /proc/self/cgroup. Without that, under systemd on a v1 or hybrid host the isle would stay in islanderd.service as
/// systemd sees it (a child inherits its parent's groups): listed in the unit, and killed by a <c>systemctl kill</c> of it.
/// </remarks>
public sealed class CgroupV1Driver : ICgroupDriver
{
    /// <summary>The hierarchies islander uses and their directory names under the root.</summary>
    public static readonly IReadOnlyDictionary<CgroupController, string> HierarchyNames = new Dictionary<CgroupController, string>
    {
        [CgroupController.Cpu] = "cpu",
        [CgroupController.CpuAcct] = "cpuacct",
        [CgroupController.Cpuset] = "cpuset",
        [CgroupController.Memory] = "memory",
        [CgroupController.Pids] = "pids",
        [CgroupController.Io] = "blkio",
        [CgroupController.Devices] = "devices",
        [CgroupController.Freezer] = "freezer",
    };

    /// <summary>
    /// The hierarchies without controllers that islander also puts isles in, when mounted: systemd's named v1 hierarchy
    /// (name=systemd at <c>systemd</c>) and, on the hybrid layout, the cgroup2 mount (<c>unified</c>), where systemd
    /// tracks its units' processes.
    /// </summary>
    public static readonly IReadOnlyList<string> TrackingHierarchyNames = ["systemd", "unified"];

    readonly string _root;
    readonly string _parent;
    readonly CgroupFs _fs;
    readonly CgroupController[] _controllers;
    readonly string[] _tracking;

    /// <summary>The hierarchy <see cref="Processes"/> reads: devices (runc's choice), else the first there is.</summary>
    readonly CgroupController _listing;

    /// <summary>Uses every hierarchy of <see cref="HierarchyNames"/> that has a directory under <paramref name="root"/>.</summary>
    public CgroupV1Driver(string root = "/sys/fs/cgroup", string parent = "islander")
        : this(root, parent, null, CgroupFs.Kernel)
    {
    }

    /// <param name="controllers">The hierarchies mounted on this host (<see cref="CgroupHost.Controllers"/>).</param>
    /// <param name="tracking">The <see cref="TrackingHierarchyNames"/> mounted on this host (<see cref="CgroupDetector.TrackingHierarchies"/>).</param>
    public CgroupV1Driver(string root, string parent, IEnumerable<CgroupController> controllers, IEnumerable<string>? tracking = null)
        : this(root, parent, controllers, CgroupFs.Kernel, tracking)
    {
    }

    internal CgroupV1Driver(string root, string parent, IEnumerable<CgroupController>? controllers, CgroupFs fs, IEnumerable<string>? tracking = null)
    {
        _root = root;
        _parent = CgroupName.Parent(parent);
        _fs = fs;
        _tracking = (tracking ?? []).Where(TrackingHierarchyNames.Contains).Distinct().ToArray();
        _controllers = (controllers ?? HierarchyNames.Keys.Where(c => fs.DirectoryExists(Path.Combine(root, HierarchyNames[c]))))
            .Where(HierarchyNames.ContainsKey).Distinct().Order().ToArray();
        _listing = Has(CgroupController.Devices) || _controllers.Length == 0 ? CgroupController.Devices : _controllers[0];
    }

    public CgroupVersion Version => CgroupVersion.V1;

    /// <summary>The hierarchies this driver puts isles in.</summary>
    public IReadOnlyList<CgroupController> Controllers => _controllers;

    public void Create(string isle, IsleResources resources, DevicePolicy devices, CancellationToken cancellationToken)
    {
        CgroupName.Isle(isle);
        CgroupV1Plan.RefuseUnsupported(resources);
        var numbers = resources.Io.Select(io => io.Device).Distinct().ToDictionary(d => d, _fs.ResolveBlockDevice);

        bool made = true;
        foreach (var c in _controllers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            EnsureParent(HierarchyNames[c], copyCpuset: c == CgroupController.Cpuset);
            made &= _fs.MakeDirectory(Dir(c, isle));
        }
        foreach (var t in _tracking)
        {
            EnsureParent(t, copyCpuset: false);
            _fs.MakeDirectory(TrackingDir(t, isle));
        }

        // Groups made just now hold the kernel's defaults: they are not read, and a default is not written again.
        // Groups that were there already (a start after a crash) are read and every file is written, as by an update.
        var plan = CgroupV1Plan.For(resources, devices, ReadCurrent(isle, made), d => numbers[d]);
        CgroupApply.Run(_fs, Path.Combine(_parent, isle), made ? plan.Where(w => !CgroupV1Plan.IsNewGroupDefault(w)) : plan,
            c => Has(c) ? Dir(c, isle) : null, cancellationToken);
    }

    public void Update(string isle, IsleResources resources, CancellationToken cancellationToken)
    {
        CgroupName.Isle(isle);
        CgroupV1Plan.RefuseUnsupported(resources);
        if (!Exists(isle, cancellationToken))
            throw new CgroupException($"cannot update the limits of isle {isle}: no cgroup {Path.Combine(_parent, isle)} in any v1 hierarchy", ErrorCategory.NotFound);
        var numbers = resources.Io.Select(io => io.Device).Distinct().ToDictionary(d => d, _fs.ResolveBlockDevice);
        var plan = CgroupV1Plan.For(resources, devices: null, ReadCurrent(isle, made: false), d => numbers[d]);
        CgroupApply.Run(_fs, Path.Combine(_parent, isle), plan, c => Has(c) ? Dir(c, isle) : null, cancellationToken);
    }

    public void AddProcess(string isle, int pid, CancellationToken cancellationToken)
    {
        // 0 would mean "the writer": the daemon itself would move into the isle's group.
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pid);
        CgroupName.Isle(isle);
        string value = pid.ToString(CultureInfo.InvariantCulture);
        foreach (var dir in _controllers.Select(c => Dir(c, isle)).Concat(_tracking.Select(t => TrackingDir(t, isle))))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!_fs.DirectoryExists(dir))
                throw new CgroupException($"cannot add process {pid}: no cgroup {dir}", ErrorCategory.NotFound);
            _fs.Write(Path.Combine(dir, "cgroup.procs"), value);
        }
    }

    public CgroupPaths Paths(string isle)
    {
        CgroupName.Isle(isle);
        return new CgroupPaths(
            _controllers.Select(c => Dir(c, isle)).ToList(),
            Has(CgroupController.Memory) ? Path.Combine(Dir(CgroupController.Memory, isle), "memory.oom_control") : null)
        {
            // The same groups AddProcess writes; the hybrid layout's cgroup2 has no tasks file: init is cloned into it.
            JoinTasksFiles = _controllers.Select(c => Dir(c, isle)).Concat(_tracking.Where(t => t != "unified").Select(t => TrackingDir(t, isle)))
                .Select(d => Path.Combine(d, "tasks")).ToList(),
            CloneInto = _tracking.Contains("unified") ? TrackingDir("unified", isle) : null,
        };
    }

    public bool Exists(string isle, CancellationToken cancellationToken)
    {
        CgroupName.Isle(isle);
        cancellationToken.ThrowIfCancellationRequested();
        return _controllers.Any(c => _fs.DirectoryExists(Dir(c, isle)));
    }

    /// <summary>
    /// The isle's processes, from one hierarchy: each of them is in the isle's group of every hierarchy (init is cloned
    /// into them all, and a process cannot leave them without the host's cgroup filesystem), so one lists them all, as
    /// runc's v1 manager lists them from the devices hierarchy alone. Reading the 8 controller hierarchies of a hybrid
    /// host took 16 opens a look, and an ended isle is looked at 7 times between its exit and its deletion (about 5 ms
    /// of a one-shot). The other hierarchies are read when that one has no group of the isle (not made yet, or gone); the
    /// deletion empties and removes the groups of every hierarchy.
    /// </summary>
    public IReadOnlySet<int> Processes(string isle, CancellationToken cancellationToken)
    {
        CgroupName.Isle(isle);
        return CgroupReaper.ListPidsRacing(_fs, () => CgroupReaper.Subtree(_fs, Dir(_listing, isle)) is { Count: > 0 } groups
            ? groups
            : _controllers.Where(c => c != _listing).SelectMany(c => CgroupReaper.Subtree(_fs, Dir(c, isle))), cancellationToken);
    }

    public CgroupStats Stats(string isle, CancellationToken cancellationToken)
    {
        if (!Exists(isle, cancellationToken))
            throw new CgroupException($"no cgroup {Path.Combine(_parent, isle)} in any v1 hierarchy", ErrorCategory.NotFound);
        string? Read(CgroupController c, string file) => Has(c) ? _fs.Read(Path.Combine(Dir(c, isle), file)) : null;
        long? nanos = CgroupText.Number(Read(CgroupController.CpuAcct, "cpuacct.usage"));
        // The recursive file counts sub-groups too, like usage_in_bytes; kernels without it have the flat one.
        var io = CgroupText.V1IoServiceBytes(Read(CgroupController.Io, "blkio.throttle.io_service_bytes_recursive")
            ?? Read(CgroupController.Io, "blkio.throttle.io_service_bytes"));
        return new CgroupStats(
            MemoryBytes: CgroupText.WorkingSet(CgroupText.Number(Read(CgroupController.Memory, "memory.usage_in_bytes")),
                Read(CgroupController.Memory, "memory.stat"), "total_inactive_file"),
            CpuTime: nanos is long n ? TimeSpan.FromTicks(n / 100) : null,
            Pids: CgroupText.Number(Read(CgroupController.Pids, "pids.current")),
            OomKills: CgroupText.Keyed(Read(CgroupController.Memory, "memory.oom_control"), CgroupPaths.OomKillKey) ?? 0)
        {
            MemoryLimit = CgroupText.V1MemoryLimit(Read(CgroupController.Memory, "memory.limit_in_bytes")),
            PidsLimit = CgroupText.Number(Read(CgroupController.Pids, "pids.max")),
            IoReadBytes = io?.Read,
            IoWriteBytes = io?.Write,
        };
    }

    public Task FreezeAsync(string isle, bool frozen, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!Has(CgroupController.Freezer))
            throw new CgroupException($"cannot {(frozen ? "pause" : "unpause")} isle {isle}: this host has no freezer cgroup hierarchy (mount it at {Path.Combine(_root, "freezer")})", ErrorCategory.Unsupported);
        string dir = Dir(CgroupController.Freezer, isle), state = Path.Combine(dir, "freezer.state");
        if (!_fs.FileExists(state))
            throw new CgroupException($"no cgroup {dir}", ErrorCategory.NotFound);
        string want = frozen ? "FROZEN" : "THAWED";
        return CgroupFreezer.SetAsync(_fs, dir, frozen, () => _fs.Write(state, want), () => _fs.Read(state)?.Trim() == want,
            () => _fs.Write(state, "THAWED"), cancellationToken);
    }

    public bool Frozen(string isle, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Has(CgroupController.Freezer) && _fs.Read(Path.Combine(Dir(CgroupController.Freezer, isle), "freezer.state"))?.Trim() == "FROZEN";
    }

    public async Task DeleteAsync(string isle, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var dirs = _controllers.Select(c => Dir(c, isle)).Concat(_tracking.Select(t => TrackingDir(t, isle))).ToList();
        IEnumerable<string> Groups() => dirs.SelectMany(d => CgroupReaper.Subtree(_fs, d));

        // An isle that ended left empty groups (its PID namespace took every process with it): rmdir at once, which the
        // kernel refuses (EBUSY) for a group that still has a task. Only then are the groups read, frozen and killed.
        var groups = Groups().ToList();
        if (CgroupReaper.TryRemoveEmpty(_fs, groups))
            return;
        groups = Groups().ToList();
        if (CgroupReaper.ListPids(_fs, groups).Count > 0)
        {
            await FreezeAndKillAsync(isle, Groups, cancellationToken);
            await CgroupReaper.KillUntilEmptyAsync(_fs, Groups, cancellationToken);
            groups = Groups().ToList();
        }
        await CgroupReaper.RemoveAsync(_fs, groups, cancellationToken);
    }

    /// <summary>
    /// A fork loop can outrun a kill loop; frozen tasks cannot fork. So, as runc's signalAllProcesses:
    /// freeze, SIGKILL everything, thaw (the kills land on thaw). Without a freezer the kill loop alone runs.
    /// </summary>
    async Task FreezeAndKillAsync(string isle, Func<IEnumerable<string>> groups, CancellationToken cancellationToken)
    {
        if (!Has(CgroupController.Freezer))
            return;
        string state = Path.Combine(Dir(CgroupController.Freezer, isle), "freezer.state");
        if (!_fs.FileExists(state))
            return;
        _fs.Write(state, "FROZEN");
        try
        {
            // FREEZING until every task is in the refrigerator; give it up to a second, then kill anyway.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(1);
            // A cancelled wait still thaws (finally): a group is never left frozen.
            while (_fs.Read(state)?.Trim() != "FROZEN" && DateTime.UtcNow < deadline)
                await _fs.PauseAsync(cancellationToken);
            foreach (int pid in CgroupReaper.ListPids(_fs, groups()))
                _fs.Kill(pid);
        }
        finally
        {
            _fs.Write(state, "THAWED");
        }
    }

    /// <summary>
    /// mkdir of each level of the parent path in one hierarchy. In cpuset, a new group starts with empty
    /// cpuset.cpus and cpuset.mems and refuses tasks (ENOSPC) until they are filled, so each level copies
    /// its parent's values, from the root down (runc's cpusetEnsureParent).
    /// </summary>
    void EnsureParent(string hierarchy, bool copyCpuset)
    {
        string level = Path.Combine(_root, hierarchy);
        foreach (var segment in _parent.Split('/'))
        {
            string child = Path.Combine(level, segment);
            _fs.MakeDirectory(child);
            if (copyCpuset)
                foreach (var file in (string[])["cpuset.cpus", "cpuset.mems"])
                    if (string.IsNullOrWhiteSpace(_fs.Read(Path.Combine(child, file))))
                        _fs.Write(Path.Combine(child, file), _fs.Read(Path.Combine(level, file))?.Trim() ?? "");
            level = child;
        }
    }

    /// <param name="made">The isle's groups were made just now: no limit and no throttled device, without reading them.</param>
    CgroupCurrent ReadCurrent(string isle, bool made)
    {
        string? ReadIsle(CgroupController c, string file) => Has(c) && !made ? _fs.Read(Path.Combine(Dir(c, isle), file)) : null;
        string? ReadParent(string file) => Has(CgroupController.Cpuset)
            ? _fs.Read(Path.Combine(_root, HierarchyNames[CgroupController.Cpuset], _parent, file))
            : null;

        return new CgroupCurrent
        {
            MemoryLimit = CgroupText.V1MemoryLimit(ReadIsle(CgroupController.Memory, "memory.limit_in_bytes")),
            SwapAccounting = Has(CgroupController.Memory)
                && _fs.FileExists(Path.Combine(Dir(CgroupController.Memory, isle), "memory.memsw.limit_in_bytes")),
            ThrottledDevices = CgroupV1Plan.ThrottleFiles
                .SelectMany(f => CgroupText.ThrottledDevices(ReadIsle(CgroupController.Io, f)))
                .Distinct().ToList(),
            ParentCpus = ReadParent("cpuset.cpus")?.Trim() ?? "",
            ParentMems = ReadParent("cpuset.mems")?.Trim() ?? "",
        };
    }

    bool Has(CgroupController c) => Array.IndexOf(_controllers, c) >= 0;

    string Dir(CgroupController c, string isle) => Path.Combine(_root, HierarchyNames[c], _parent, CgroupName.Isle(isle));

    string TrackingDir(string hierarchy, string isle) => Path.Combine(_root, hierarchy, _parent, CgroupName.Isle(isle));
}
