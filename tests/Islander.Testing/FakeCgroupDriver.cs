using Islander.Drivers.Cgroups;
using Islander.Model;

namespace Islander.Testing;

/// <summary>
/// An in-memory <see cref="ICgroupDriver"/>: which groups exist, with which limits and which pids. It kills
/// nothing: <see cref="DeleteAsync"/> records the pids it would have killed in <see cref="Killed"/>. It refuses what
/// the real drivers refuse (bad names, contradictory CPU limits), and
/// <see cref="CgroupDriverContract"/> keeps it honest.
/// </summary>
public sealed class FakeCgroupDriver : ICgroupDriver
{
    readonly Lock _lock = new();
    readonly Dictionary<string, FakeCgroup> _groups = new(StringComparer.Ordinal);
    readonly HashSet<int> _killed = [];
    readonly string _root;
    readonly string _parent;

    public FakeCgroupDriver(CgroupVersion version = CgroupVersion.V2, string root = "/sys/fs/cgroup", string parent = "islander")
    {
        Version = version;
        _root = root;
        _parent = CgroupName.Parent(parent);
    }

    public CgroupVersion Version { get; }

    /// <summary>The groups that exist now, by isle name.</summary>
    public IReadOnlyDictionary<string, FakeCgroup> Groups
    {
        get
        {
            lock (_lock)
                return new Dictionary<string, FakeCgroup>(_groups);
        }
    }

    /// <summary>Every pid that a <see cref="DeleteAsync"/> killed.</summary>
    public IReadOnlySet<int> Killed
    {
        get
        {
            lock (_lock)
                return new HashSet<int>(_killed);
        }
    }

    /// <summary>Makes the next <see cref="Create"/>, <see cref="Update"/> or <see cref="AddProcess"/> of any isle throw this (one-shot), to test error paths.</summary>
    public Exception? NextError { get; set; }

    public void Create(string isle, IsleResources resources, DevicePolicy devices, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CgroupName.Isle(isle);
        lock (_lock)
        {
            ThrowPending();
            CgroupCpu.Bandwidth(resources);
            if (Version == CgroupVersion.V1)
                CgroupV1Plan.RefuseUnsupported(resources);
            var pids = _groups.TryGetValue(isle, out var old) ? old.Pids : [];
            _groups[isle] = new FakeCgroup(resources, devices, pids, old?.OomKills ?? 0, (old?.Applied ?? 0) + 1) { Frozen = old?.Frozen ?? false };
        }
    }

    public void Update(string isle, IsleResources resources, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CgroupName.Isle(isle);
        lock (_lock)
        {
            ThrowPending();
            if (!_groups.TryGetValue(isle, out var group))
                throw new CgroupException($"cannot update the limits of isle {isle}: no cgroup (fake)", ErrorCategory.NotFound);
            CgroupCpu.Bandwidth(resources);
            if (Version == CgroupVersion.V1)
                CgroupV1Plan.RefuseUnsupported(resources);
            _groups[isle] = group with { Resources = resources, Applied = group.Applied + 1 };
        }
    }

    public void AddProcess(string isle, int pid, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pid);
        CgroupName.Isle(isle);
        lock (_lock)
        {
            ThrowPending();
            if (!_groups.TryGetValue(isle, out var group))
                throw new CgroupException($"cannot add process {pid}: no cgroup {isle} (fake)", ErrorCategory.NotFound);
            // A process is in one group at a time, as in the kernel.
            foreach (var (name, other) in _groups)
                if (name != isle && other.Pids.Contains(pid))
                    _groups[name] = other with { Pids = other.Pids.Remove(pid) };
            _groups[isle] = group with { Pids = group.Pids.Add(pid) };
        }
    }

    public CgroupPaths Paths(string isle)
    {
        CgroupName.Isle(isle);
        if (Version == CgroupVersion.V2)
        {
            string dir = Path.Combine(_root, _parent, isle);
            return new CgroupPaths([dir], Path.Combine(dir, "memory.events"));
        }
        var dirs = CgroupV1Driver.HierarchyNames.Values.Select(h => Path.Combine(_root, h, _parent, isle)).ToList();
        return new CgroupPaths(dirs, Path.Combine(_root, "memory", _parent, isle, "memory.oom_control"));
    }

    public bool Exists(string isle, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CgroupName.Isle(isle);
        lock (_lock)
            return _groups.ContainsKey(isle);
    }

    public IReadOnlySet<int> Processes(string isle, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CgroupName.Isle(isle);
        lock (_lock)
            return _groups.TryGetValue(isle, out var group) ? new SortedSet<int>(group.Pids) : new SortedSet<int>();
    }

    public CgroupStats Stats(string isle, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CgroupName.Isle(isle);
        lock (_lock)
        {
            if (!_groups.TryGetValue(isle, out var group))
                throw new CgroupException($"no cgroup {isle} (fake)", ErrorCategory.NotFound);
            return new CgroupStats(0, TimeSpan.Zero, group.Pids.Count, group.OomKills)
            {
                MemoryLimit = group.Resources.Memory,
                PidsLimit = group.Resources.Pids is > 0 and var pids ? pids : null, // 0: no limit ("max")
                IoReadBytes = 0,
                IoWriteBytes = 0,
            };
        }
    }

    public Task FreezeAsync(string isle, bool frozen, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CgroupName.Isle(isle);
        lock (_lock)
        {
            if (!_groups.TryGetValue(isle, out var group))
                throw new CgroupException($"no cgroup {isle} (fake)", ErrorCategory.NotFound);
            _groups[isle] = group with { Frozen = frozen };
        }
        return Task.CompletedTask;
    }

    public bool Frozen(string isle, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CgroupName.Isle(isle);
        lock (_lock)
            return _groups.TryGetValue(isle, out var group) && group.Frozen;
    }

    public Task DeleteAsync(string isle, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CgroupName.Isle(isle);
        lock (_lock)
        {
            if (_groups.Remove(isle, out var group))
                _killed.UnionWith(group.Pids);
        }
        return Task.CompletedTask;
    }

    /// <summary>The kernel OOM-killed <paramref name="pid"/> in the isle's group: counts it and removes the pid.</summary>
    public void SimulateOomKill(string isle, int? pid = null)
    {
        lock (_lock)
        {
            var group = _groups[isle];
            var pids = pid is int p ? group.Pids.Remove(p) : group.Pids;
            _groups[isle] = group with { OomKills = group.OomKills + 1, Pids = pids };
        }
    }

    /// <summary>A process in the group exited by itself.</summary>
    public void SimulateExit(string isle, int pid)
    {
        lock (_lock)
            if (_groups.TryGetValue(isle, out var group))
                _groups[isle] = group with { Pids = group.Pids.Remove(pid) };
    }

    void ThrowPending()
    {
        if (NextError is { } e)
        {
            NextError = null;
            throw e;
        }
    }
}
