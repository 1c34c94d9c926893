using System.Globalization;
using Islander.Drivers.Cgroups;
using Islander.Drivers.Images;
using Islander.Drivers.Interop;
using Islander.Drivers.Network;
using Islander.Drivers.Rootfs;
using Islander.Drivers.Security;
using Islander.Drivers.Storage;
using Islander.Drivers.Users;
using Islander.Model;

namespace Islander.Drivers.Runtime;

/// <summary>
/// Runs isles: composes the root filesystem, the cgroup, the security policy and isle-init into
/// start, wait, stop and delete. The controller's lifecycle and <c>islanderctl run</c> both drive
/// isles through it; the kernel and the files under <see cref="RuntimePaths"/> are its only state.
/// </summary>
/// <param name="quota">Limits the writable layer (<c>resources.disk</c>); by default for <paramref name="paths"/>' state root.</param>
public sealed partial class IsleRuntime(IProcessLauncher launcher, ICgroupDriver cgroups, INetworkDriver network, OverlayRootfs rootfs, RuntimePaths paths,
    LayerQuota? quota = null)
{
    readonly LayerQuota _quota = quota ?? new LayerQuota(paths.StateRoot);

    // An isle's directories are deleted in the background (STATE/isles/.trash, RUN/isles/.trash): a delete renames them.
    readonly DirectoryTrash _stateTrash = new(Path.Combine(paths.IslesStateRoot, TrashName));
    readonly DirectoryTrash _runTrash = new(Path.Combine(paths.IslesRunRoot, TrashName));

    /// <summary>The trash directories' name in STATE/isles and RUN/isles: hidden, and no isle's name (a DNS label).</summary>
    const string TrashName = ".trash";

    /// <summary>Completes once the directories of every isle deleted so far are gone from the trash too.</summary>
    public Task DiscardedAsync() => Task.WhenAll(_stateTrash.DeletedAsync(), _runTrash.DeletedAsync());

    /// <param name="cgroupParent">The cgroup holding the isles' cgroups below each hierarchy's root (<see cref="CgroupParent"/>).</param>
    public static IsleRuntime CreateDefault(RuntimePaths paths, string cgroupParent = CgroupParent.Default)
    {
        var runtime = new IsleRuntime(new LinuxProcessLauncher(), CgroupDetector.CreateDriver(CgroupDetector.Detect(), cgroupParent), new BridgeNetworkDriver(),
            new OverlayRootfs(paths.StateRoot, paths.RunRoot), paths);
        runtime.PrepareDirectories();
        return runtime;
    }

    /// <summary>
    /// At startup: makes the state and run roots and their isles directories with the modes of <see cref="HostDirectory"/>,
    /// closing those an older islander made 0755, and closes the directories of the isles it started. An older
    /// islander's isles still run with their overlay mounted at RUN/isles/NAME/rootfs: closed to others now, not at
    /// their next start; their inits no longer pass through (their mounts are made), so root's group will do.
    /// What a daemon that died left in the trash is deleted in the background.
    /// On ext2/3/4 both isles directories are marked tops of directory hierarchies (chattr +T): each isle's directory goes
    /// to a block group of its own, as a home directory does, and its files and overlay work files follow it. Without the
    /// mark every isle's inodes came from one group, where those of the isles removed last had just been freed; ext4
    /// without a journal skips an inode freed in the last minute, and scanning past hundreds of them took a sixth of the
    /// CPU of 50 starts (the Controller README, "A one-shot's fourth look").
    /// </summary>
    public void PrepareDirectories()
    {
        PrepareRoots();
        FileSystemInterop.TryMarkTopDirectory(paths.IslesStateRoot);
        FileSystemInterop.TryMarkTopDirectory(paths.IslesRunRoot);
        foreach (var dir in Directory.EnumerateDirectories(paths.IslesRunRoot))
            if (Path.GetFileName(dir) != TrashName && File.GetUnixFileMode(dir) != HostDirectory.GroupTraverse)
                File.SetUnixFileMode(dir, HostDirectory.GroupTraverse);
        _stateTrash.EmptyLeftovers();
        _runTrash.EmptyLeftovers();
    }

    /// <summary>The roots alone, at every start of an isle too: a few syscalls.</summary>
    void PrepareRoots()
    {
        HostDirectory.Ensure(paths.StateRoot, HostDirectory.Traverse);
        HostDirectory.Ensure(paths.RunRoot, HostDirectory.Traverse);
        HostDirectory.Ensure(paths.IslesStateRoot, HostDirectory.Private);
        HostDirectory.Ensure(paths.IslesRunRoot, HostDirectory.Traverse);
    }

    public RuntimePaths Paths => paths;

    /// <summary>The cgroup interface isles run under here: what a manifest may ask of it (<see cref="DriverCatalogs.For"/>).</summary>
    public CgroupVersion CgroupVersion => cgroups.Version;

    /// <summary>The log limits and journal of isles whose spec sets none (the daemon's config).</summary>
    public IsleLogDefaults LogDefaults { get; set; } = new();

    /// <summary>
    /// Whether an isle's shim fsyncs its status file when the isle ends (true): the exit code then survives a host crash
    /// on a run directory on disk, for the daemon to read after it. False where nothing reads it after a crash:
    /// <c>islanderctl run --no-daemon</c>, whose isle is removed by the process that waits for it.
    /// </summary>
    public bool SyncExitStatus { get; set; } = true;

    /// <summary>
    /// Where the shim of isle <paramref name="name"/> writes its stdout and stderr: the spec's <c>logging</c>, the
    /// defaults for what it leaves out. Rotated files past the isle's count (left by a larger maxFiles) are removed.
    /// </summary>
    /// <exception cref="IslanderException">Unsupported: journald asked for on a host without a journal.</exception>
    public IsleLogTarget LogTarget(string name, IsleSpec spec)
    {
        if (spec.Logging?.Driver == LogDriver.Journald)
        {
            string socket = LogDefaults.JournalSocket;
            // Path.Exists: File.Exists is false for a socket.
            if (!Path.Exists(socket) || Directory.Exists(socket))
                throw new IslanderException($"isle {name} logs to the journal (logging.driver: journald), but this host has no journal " +
                    $"({socket} is missing; is systemd-journald running?); use driver: json-file", ErrorCategory.Unsupported);
            return new IsleLogTarget.Journal(socket, name);
        }
        string path = paths.LogFile(name);
        int maxFiles = spec.Logging?.MaxFiles ?? LogDefaults.MaxFiles;
        if (Directory.Exists(paths.IsleStateDir(name)))
            for (int i = maxFiles; i < IsleLogging.MaximumMaxFiles; i++)
                File.Delete($"{path}.{i.ToString(CultureInfo.InvariantCulture)}");
        return new IsleLogTarget.JsonFile(path, spec.Logging?.MaxSize ?? LogDefaults.MaxSize, maxFiles);
    }

    /// <summary>
    /// Whether the isle's shim still runs. It writes the isle's log until the isle has ended and its output is drained,
    /// so a reader that follows the log stops once this is false and it has read to the end.
    /// </summary>
    public bool IsLogging(IsleProcess process) => ProcStat.Read(process.ShimPid) is { } stat && IsLogging(stat, process.ShimStartTime);

    /// <summary>
    /// Whether the shim whose /proc stat line is <paramref name="stat"/> still writes: it is the one started at
    /// <paramref name="shimStartTime"/> (0: not recorded) and has not exited. An exited shim may stay a zombie for a
    /// while: it daemonized, so its parent is PID 1 (or a subreaper), which reaps when it gets to it; a PID 1 that reaps
    /// late (a VM's or a container's init) kept every <c>islanderctl run</c>'s log stream open for seconds after its
    /// isle had ended.
    /// </summary>
    public static bool IsLogging(string stat, ulong shimStartTime) =>
        !ProcStat.Ended(stat) && (shimStartTime == 0 || ProcStat.StartTime(stat) == shimStartTime);

    /// <summary>
    /// Raised (isle, what was done) when the kernel contradicted the files: an init adopted from the isle's cgroup, or
    /// processes of an unknown copy killed there. The daemon logs it.
    /// </summary>
    public event Action<string, string>? Recovered;

    /// <summary>
    /// Prepares and starts isle <paramref name="name"/>; returns once its command runs. Not
    /// idempotent (a running isle of that name must be deleted first). When the start fails,
    /// everything made for it is removed again and the error is rethrown.
    /// </summary>
    /// <param name="lowerDirs">The image's layers, top first; null for the spec's rootfs directory.</param>
    /// <param name="attach">Runs with the isle's init pid before its command starts: joins it to its networks, and brings its lo
    /// up (as <see cref="INetworkDriver.Attach"/> does); without one the runtime brings lo up itself.</param>
    /// <param name="namedVolumePaths">Host paths of the named volumes the spec mounts (volume → path), made by the volume drivers.</param>
    /// <exception cref="IsleStartException">isle-init failed (op, path, errno), e.g. the command does not exist.</exception>
    public async Task<IsleProcess> StartAsync(string name, IsleSpec spec, IsleStdio? stdio = null,
        IReadOnlyList<string>? lowerDirs = null, ImageDefaults? image = null, Func<int, CancellationToken, ValueTask>? attach = null,
        CancellationToken ct = default, IReadOnlyDictionary<string, string>? namedVolumePaths = null)
    {
        var layers = lowerDirs ?? [spec.Rootfs ?? throw new IslanderException($"isle {name} has neither an image nor a rootfs", ErrorCategory.InvalidManifest)];
        // Never two copies: whatever a file says, a process in the isle's cgroup is the isle running (a daemon killed
        // between launch and writing the process file, a wiped run directory).
        if (cgroups.Processes(name, ct) is { Count: > 0 } left)
            throw new IslanderException(
                $"isle {name} still has processes in its cgroup ({string.Join(", ", left)}): an earlier copy runs; delete it before starting another",
                ErrorCategory.Transient); // retried: the daemon kills what it cannot adopt before each start
        var mappedRoot = MappedRoot(spec.Security.UserNamespace);
        stdio ??= IsleStdio.Log(LogTarget(name, spec));
        PrepareRoots();
        // Root's, and passable by the group of the isle's remapped root only: isle-init, as that user, mounts the rootfs there.
        HostDirectory.Ensure(paths.IsleRunDir(name), HostDirectory.GroupTraverse, checked((int)(mappedRoot?.Gid ?? 0)));
        Directory.CreateDirectory(paths.IsleStateDir(name));
        File.Delete(paths.StatusFile(name));
        try
        {
            var capabilities = CapabilityPolicy.Kept(spec.Security);
            // Docker's allowlist on v1 and v2 alike (v2: a BPF_CGROUP_DEVICE program), so an isle keeps CAP_MKNOD:
            // it may make any node, and open only the harmless ones.
            var devices = spec.Security.Privileged ? DevicePolicy.AllowAll : DevicePolicy.Allowlist;

            // Before the overlay is mounted: only what is made in the layer's directory after the limit is charged to it.
            if (spec.Resources.Disk is { } disk)
                _quota.Apply(rootfs.UpperRoot(name), disk);
            using var root = rootfs.Prepare(name, layers, mappedRoot);
            cgroups.Create(name, spec.Resources, devices, ct);
            // Read through the overlay (its detached mount): the files as the isle will see them (every layer,
            // whiteouts, and what the isle wrote itself before a restart), as Docker reads them.
            var user = UserFiles.Resolve(root.RootPath, spec.User ?? image?.User);
            ProcMountPoint.Require(root.RootPath);
            var groups = cgroups.Paths(name);
            // isle-init starts init in the isle's groups (CgroupPaths.JoinTasksFiles, CloneInto). On v1 its helper counts as
            // a task next to init for a moment, which a pids limit of 1 does not allow: the daemon moves init there instead.
            bool initJoins = groups.InitJoins && !(groups.JoinTasksFiles.Count > 0 && spec.Resources.Pids == 1);
            var config = InitConfigBuilder.Build(new InitConfigInput
            {
                Name = name,
                Spec = spec,
                Rootfs = root.MountPoint,
                RootfsMountFd = root.Fd,
                StatusPath = paths.StatusFile(name),
                OomCounterPath = groups.OomEventsFile,
                AttachSocket = paths.AttachSocket(name),
                Capabilities = (ulong)capabilities,
                SeccompFilter = SeccompFilter.For(spec.Security, capabilities),
                MaskedPaths = ProcfsDefaults.MaskedPaths,
                ReadOnlyPaths = ProcfsDefaults.ReadonlyPaths,
                Image = image ?? ImageDefaults.None,
                User = user,
                NamedVolumePaths = namedVolumePaths ?? new Dictionary<string, string>(),
            });
            if (initJoins)
                config = config with { CgroupTasksFiles = groups.JoinTasksFiles, CgroupDirectory = groups.CloneInto };
            if (!SyncExitStatus)
                config = config with { StatusUnsynced = true };
            IsleExecProfile.From(config, user.Home).Write(paths.ExecProfileFile(name));
            var process = await launcher.LaunchAsync(config, stdio, (pid, ct) =>
            {
                if (spec.Security.UserNamespace is { } userns)
                    UserNamespaceMaps.Write(pid, userns.UidMappings, userns.GidMappings);
                if (!initJoins)
                    cgroups.AddProcess(name, pid, ct);
                return ValueTask.CompletedTask;
            }, ct, spec.HostNetwork ? null : async (pid, ct) =>
            {
                // While init makes its root. An attach brings lo up in the batch that configures the isle's end
                // (INetworkDriver.Attach): asking here as well would cost a netlink socket and a round trip of every
                // networked start.
                if (attach is not null)
                    await attach(pid, ct);
                else
                    network.BringUpLoopback(NetworkNamespace.OfProcess(pid), ct);
            });
            WriteProcessFile(name, process);
            return process;
        }
        catch
        {
            await DeleteAsync(name, CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="request"/>'s command in the running isle, as <c>docker exec</c>: in all its namespaces and its
    /// cgroup, with its init's capabilities, no_new_privs, seccomp filter, environment and user (<see cref="IsleExecProfile"/>,
    /// recorded at start) unless the request says otherwise. Its output goes to <paramref name="output"/>; returns how
    /// it ended. It dies with the isle (PID namespace, cgroup); cancelling kills it (see <see cref="IProcessLauncher.ExecAsync"/>).
    /// </summary>
    /// <exception cref="IslanderException">Conflict: the isle is not running (or was started without an exec profile);
    /// NotFound: a <c>--user</c> name the isle's /etc/passwd lacks.</exception>
    /// <exception cref="IsleExecException">isle-init failed: <c>execve</c> (command not found, not executable), <c>chdir</c>, ...</exception>
    public Task<ExecResult> ExecAsync(string name, ExecRequest request, ExecOutput output, CancellationToken ct = default) =>
        ExecAsync(name, request, output, null, ct);

    /// <inheritdoc cref="ExecAsync(string, ExecRequest, ExecOutput, CancellationToken)"/>
    /// <param name="started">Called with the process's input once it runs (<see cref="ExecRequest.Stdin"/>, <see cref="ExecRequest.Tty"/>).</param>
    public async Task<ExecResult> ExecAsync(string name, ExecRequest request, ExecOutput output, ExecStarted? started, CancellationToken ct)
    {
        if (Find(name) is not { } process || !launcher.IsRunning(process))
            throw new IslanderException($"isle {name} is not running; exec needs a running isle", ErrorCategory.Conflict);
        var profile = IsleExecProfile.Read(paths.ExecProfileFile(name))
            ?? throw new IslanderException($"isle {name} was started by an islander without exec; restart it to exec into it", ErrorCategory.Conflict);
        // The isle's own files, as it sees them now (its mounts included), through its init's root.
        var user = request.User is null ? null : UserFiles.Resolve($"/proc/{process.InitPid.ToString(CultureInfo.InvariantCulture)}/root", request.User);
        // The process starts in the isle's groups by itself, as init (isle-init writes the v1 tasks files and clones it
        // into the cgroup2 group): no placement from outside and its wait for the kernel's threadgroup lock.
        var groups = cgroups.Paths(name);
        var config = profile.ToExecConfig(process.InitPid, request, user) with
        {
            CgroupTasksFiles = groups.JoinTasksFiles, CgroupDirectory = groups.CloneInto,
        };
        return await launcher.ExecAsync(config, (pid, _) =>
        {
            // isle-init has joined the namespaces of whatever had the pid then: if the init (its start time) still has
            // it now, that was the isle, for a pid is reused only after its process is gone.
            if (!launcher.IsRunning(process))
                throw new IslanderException($"isle {name} is not running; exec needs a running isle", ErrorCategory.Conflict);
            if (!groups.InitJoins)
                cgroups.AddProcess(name, pid, ct);
            return ValueTask.CompletedTask;
        }, output, started, ct);
    }

    /// <summary>
    /// Connects to the shim of the running isle <paramref name="name"/>, whose spec asks for <paramref name="stdin"/> or a
    /// <paramref name="tty"/> (<c>docker attach</c>): its output as it comes, and its stdin or terminal. Disposing the
    /// connection detaches; the isle runs on.
    /// </summary>
    /// <exception cref="IslanderException">Conflict: the isle is not running, or its shim serves no attach socket.</exception>
    public async Task<IsleAttachConnection> AttachAsync(string name, bool stdin, bool tty, CancellationToken ct = default)
    {
        if (Find(name) is not { } process || !launcher.IsRunning(process))
            throw new IslanderException($"isle {name} is not running; attach needs a running isle", ErrorCategory.Conflict);
        return await IsleAttachConnection.ConnectAsync(paths.AttachSocket(name), name, stdin, tty, ct);
    }

    /// <summary>The host uid and gid that the isle's root is mapped to, in a user namespace.</summary>
    static (uint Uid, uint Gid)? MappedRoot(UserNamespace? userns)
    {
        if (userns is null)
            return null;
        static uint Host(IReadOnlyList<IdMapping> maps) =>
            maps.FirstOrDefault(m => m.ContainerId == 0) is { } m ? checked((uint)m.HostId)
                : throw new IslanderException("a user namespace must map the isle's root (containerId 0)", ErrorCategory.InvalidManifest);
        return (Host(userns.UidMappings), Host(userns.GidMappings));
    }

    /// <summary>
    /// The isle's init and shim: as the process file records them while that init runs, else as found in the isle's
    /// cgroup (<see cref="FindInCgroup"/>), which then rewrites the process file. The recorded ones when neither runs
    /// (an ended isle); null when the isle was never started (or deleted) and nothing of it runs.
    /// </summary>
    public IsleProcess? Find(string name) => Locate(name).Process;

    /// <summary>
    /// <see cref="Find"/>, and whether that init runs: a reconcile pass's probe, which so reads the process file and
    /// init's /proc/PID/stat once each while the isle runs.
    /// </summary>
    public (IsleProcess? Process, bool Running) Locate(string name)
    {
        var recorded = ReadProcessFile(name);
        if (recorded is not null && launcher.IsRunning(recorded))
            return (recorded, true);
        if (FindInCgroup(name) is not { } found)
            return (recorded, false);
        // The run directory was wiped (a /run cleanup) or the daemon died before writing the file: adopt the init.
        // The shim writes its status file into the recreated directory when the isle ends (it opens the path then).
        // Its init has mounted its rootfs long ago: root's group may pass, as for an isle without a user namespace.
        PrepareRoots();
        HostDirectory.Ensure(paths.IsleRunDir(name), HostDirectory.GroupTraverse);
        WriteProcessFile(name, found);
        Recovered?.Invoke(name, string.Create(CultureInfo.InvariantCulture,
            $"its process file {(recorded is null ? "was missing" : "named an ended init")}; adopted init {found.InitPid} (shim {found.ShimPid}), found in its cgroup"));
        return (found, launcher.IsRunning(found));
    }

    /// <summary>comm of isle-init's shim (PR_SET_NAME in isle-init.c): the parent of every isle's init.</summary>
    const string ShimComm = "islander:shim";

    /// <summary>comm of the shim's helper that joins the isle's v1 groups and clones init there (isle-init.c).</summary>
    const string JoinComm = "islander:join";

    /// <summary>
    /// The isle's init as the kernel shows it: the process in the isle's cgroup whose parent is an <c>islander:shim</c>
    /// outside that cgroup (the shim stays in the daemon's group; a process of the isle that names itself so is inside
    /// it), started after that shim. On cgroup v1 the shim's short-lived <c>islander:join</c> child sits in the isle's
    /// groups beside init for a moment while it starts it: it is left out when it is in the shim's PID namespace, where
    /// no process of the isle is, so an init that names itself so is still found. The init is the first process of its
    /// PID namespace, so the earliest of the shim's children there.
    /// Null when nothing runs, or when more than one shim has an init there (two copies: no way to tell which is the
    /// isle, so the caller kills them all before starting one).
    /// </summary>
    IsleProcess? FindInCgroup(string name)
    {
        var pids = cgroups.Processes(name, CancellationToken.None);
        var inits = new List<(int Pid, ulong Start, int Shim, ulong ShimStart)>();
        foreach (int pid in pids)
        {
            if (ProcStat.Read(pid) is not { } stat || ProcStat.ParentPid(stat) is not { } ppid || pids.Contains(ppid)
                || ProcStat.Read(ppid) is not { } parent || ProcStat.Comm(parent) != ShimComm
                || ProcStat.Comm(stat) == JoinComm && PidNamespace(pid) == PidNamespace(ppid))
                continue;
            if (ProcStat.StartTime(stat) is { } start && ProcStat.StartTime(parent) is { } shimStart && shimStart <= start)
                inits.Add((pid, start, ppid, shimStart));
        }
        if (inits.Select(i => i.Shim).Distinct().Count() != 1)
            return null;
        var init = inits.MinBy(i => i.Start);
        return new IsleProcess(init.Pid, init.Shim, BootTime.Value.AddSeconds(init.Start / (double)UserHz))
        {
            InitStartTime = init.Start,
            ShimStartTime = init.ShimStart,
        };
    }

    /// <summary>USER_HZ: /proc counts start times in these ticks on every architecture (sysconf(_SC_CLK_TCK)).</summary>
    const int UserHz = 100;

    static readonly Lazy<DateTimeOffset> BootTime = new(() =>
    {
        foreach (var line in File.ReadLines("/proc/stat"))
            if (line.StartsWith("btime ", StringComparison.Ordinal))
                return DateTimeOffset.FromUnixTimeSeconds(long.Parse(line.AsSpan(6), CultureInfo.InvariantCulture));
        return DateTimeOffset.UnixEpoch;
    });

    /// <summary>The PID namespace <paramref name="pid"/> is in (the link's <c>pid:[inode]</c>); null once it has ended.</summary>
    static string? PidNamespace(int pid)
    {
        try
        {
            return File.ResolveLinkTarget($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/ns/pid", returnFinalTarget: false)?.LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    IsleProcess? ReadProcessFile(string name)
    {
        if (FileDescriptorInterop.ReadSmallText(paths.ProcessFile(name)) is not { } text)
            return null;
        var f = text.Split(' ');
        var inv = CultureInfo.InvariantCulture;
        return new IsleProcess(int.Parse(f[0], inv), int.Parse(f[1], inv), DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(f[2], inv)))
        {
            InitStartTime = ulong.Parse(f[3], inv),
            ShimStartTime = ulong.Parse(f[4], inv),
        };
    }

    void WriteProcessFile(string name, IsleProcess p) =>
        File.WriteAllText(paths.ProcessFile(name),
            string.Create(CultureInfo.InvariantCulture, $"{p.InitPid} {p.ShimPid} {p.StartedAt.ToUnixTimeMilliseconds()} {p.InitStartTime} {p.ShimStartTime}"));

    /// <summary>
    /// Writes <paramref name="resources"/> to the running isle's cgroup in place, as <c>docker update</c>: same processes,
    /// nothing restarted. A memory limit below what the isle uses now (its working set: memory less the page cache the
    /// kernel can drop) is refused before anything is written, on v1 and v2 alike: v1 would try to reclaim and answer
    /// EBUSY, v2 would OOM-kill processes of the isle to fit, and an update should never kill. A write the kernel refuses
    /// anyway (v1's EBUSY when the page cache cannot be dropped fast enough, a cpuset outside the parent's) puts
    /// <paramref name="previous"/> back and throws: the isle runs on with its old limits.
    /// </summary>
    /// <exception cref="IslanderException">Conflict: the isle does not run, or the memory limit is below its usage; the
    /// cgroup's own category (with the file, value and errno) when the kernel refused a write.</exception>
    public void UpdateResources(string name, IsleResources resources, IsleResources previous, CancellationToken ct = default)
    {
        if (Find(name) is not { } process || !launcher.IsRunning(process))
            throw new IslanderException($"isle {name} is not running; its limits can only be changed in place while it runs", ErrorCategory.Conflict);
        if (resources.Memory is { } limit && cgroups.Stats(name, ct).MemoryBytes is { } used && limit < used)
            throw new IslanderException(
                $"memory limit {Quantity.FormatBytes(limit)} is below what isle {name} uses now ({Quantity.FormatBytes(used)}): the kernel "
                + "would have to OOM-kill to fit; free memory in the isle first or choose a larger limit", ErrorCategory.Conflict);
        try
        {
            cgroups.Update(name, resources, ct);
        }
        catch (CgroupException e)
        {
            cgroups.Update(name, previous, CancellationToken.None);
            throw new IslanderException($"the kernel refused the new limits of isle {name} ({e.Message}); its old limits were written back", e.Category, e);
        }
    }

    /// <summary>
    /// Writes <paramref name="path"/> of the running isle to <paramref name="output"/> as a tar stream (<c>islanderctl cp
    /// NAME:SRC</c>), resolved inside the isle's root only (<see cref="IsleArchive"/>).
    /// </summary>
    /// <exception cref="IslanderException">Conflict: the isle does not run; NotFound: no such path.</exception>
    public async Task ArchiveAsync(string name, string path, Stream output, CancellationToken ct = default)
    {
        var (root, uids, gids) = OpenRoot(name, "cp");
        using (root)
            await IsleArchive.WriteAsync(root, name, path, output, uids, gids, ct);
    }

    /// <summary>Unpacks a tar stream into the directory <paramref name="path"/> of the running isle (<c>islanderctl cp SRC NAME:DEST</c>).</summary>
    public async Task<int> ExtractAsync(string name, string path, Stream input, bool keepOwners, CancellationToken ct = default)
    {
        var (root, uids, gids) = OpenRoot(name, "cp");
        using (root)
            return await IsleArchive.ExtractAsync(root, name, path, input, uids, gids, keepOwners, ct);
    }

    /// <summary>What is at <paramref name="path"/> in the running isle (a final symlink not followed); null when nothing is.</summary>
    public Interop.EntryStat? StatPath(string name, string path)
    {
        var (root, _, _) = OpenRoot(name, "cp");
        using (root)
            return IsleArchive.Stat(root, path);
    }

    /// <summary>
    /// A dirfd of the running isle's root (/proc/INIT/root: its overlay and its mounts, as its processes see them) and its
    /// id maps. The init is checked to be the isle's after the open, so a pid reused by another process is never entered.
    /// </summary>
    (Microsoft.Win32.SafeHandles.SafeFileHandle Root, IsleIdMap Uids, IsleIdMap Gids) OpenRoot(string name, string verb)
    {
        if (Find(name) is not { } process || !launcher.IsRunning(process))
            throw new IslanderException($"isle {name} is not running; {verb} needs a running isle (its root filesystem exists only while it runs)", ErrorCategory.Conflict);
        var root = Interop.IsleFileInterop.OpenProcessRoot(process.InitPid);
        try
        {
            string pid = process.InitPid.ToString(CultureInfo.InvariantCulture);
            var uids = IsleIdMap.Parse(File.ReadAllText($"/proc/{pid}/uid_map"));
            var gids = IsleIdMap.Parse(File.ReadAllText($"/proc/{pid}/gid_map"));
            if (!launcher.IsRunning(process))
                throw new IslanderException($"isle {name} ended while {verb} began", ErrorCategory.Conflict);
            return (root, uids, gids);
        }
        catch
        {
            root.Dispose();
            throw;
        }
    }

    /// <summary>Whether the isle's command still runs: kernel truth, not the record.</summary>
    public bool IsRunning(IsleProcess process) => launcher.IsRunning(process);

    /// <summary>How the isle ended, once it has; null while it runs or when it was never started.</summary>
    public IsleExitStatus? ExitStatus(string name) => launcher.ReadExitStatus(paths.StatusFile(name));

    /// <summary>
    /// What the isle uses now: its cgroup's counters (<see cref="ICgroupDriver.Stats"/>), the traffic of the interfaces
    /// in its network namespace (/proc/INIT/net/dev, read from the host: the file shows the reading process's target's
    /// namespace) and the machine's memory. A few file reads. <see cref="ErrorCategory.NotFound"/> (a
    /// <see cref="CgroupException"/>) when its cgroup is gone; the network is null when the init is gone or shares the
    /// daemon's namespace (hostNetwork).
    /// </summary>
    public IsleUsage Usage(string name, IsleProcess process)
    {
        var cgroup = cgroups.Stats(name, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var net = NetworkTraffic(process.InitPid);
        return new IsleUsage(now, cgroup, net?.Rx, net?.Tx, HostMemoryBytes.Value);
    }

    // Host facts that do not change while the process runs: read once, not at every stats sample of every isle.
    static readonly Lazy<long> HostMemoryBytes = new(HostMemory.TotalBytes);
    static readonly Lazy<string?> OwnNetNamespace = new(() => new FileInfo("/proc/self/ns/net").LinkTarget);

    static (long Rx, long Tx)? NetworkTraffic(int pid)
    {
        try
        {
            // Same namespace as the daemon: the host's interfaces, not the isle's own.
            if (new FileInfo($"/proc/{pid}/ns/net").LinkTarget is not { } ns || ns == OwnNetNamespace.Value)
                return null;
            return Network.NetDevText.Totals(File.ReadAllText($"/proc/{pid}/net/dev"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // the init ended meanwhile
        }
    }

    /// <summary>Completes when the isle has ended; null when its shim died without recording a status.</summary>
    public Task<IsleExitStatus?> WaitAsync(string name, IsleProcess process, CancellationToken ct = default) =>
        launcher.WaitForExitAsync(process, paths.StatusFile(name), ct);

    /// <summary>
    /// Sends the stop signal, waits up to <paramref name="timeout"/>, then SIGKILL — Docker's stop.
    /// Harmless on an isle that has already ended.
    /// </summary>
    public async Task<IsleExitStatus?> StopAsync(string name, IsleProcess process, int signal, TimeSpan timeout, CancellationToken ct = default)
    {
        var exited = WaitAsync(name, process, ct);
        if (launcher.Signal(process, signal))
        {
            var first = await Task.WhenAny(exited, DelayAsync(timeout, ct));
            if (first != exited)
                launcher.Signal(process, 9);
        }
        return await exited;
    }

    /// <summary>Task.Delay for any span: it refuses more than about 49 days, and a stop timeout may be years.</summary>
    static async Task DelayAsync(TimeSpan span, CancellationToken ct)
    {
        var most = TimeSpan.FromDays(30);
        for (; span > most; span -= most)
            await Task.Delay(most, ct);
        await Task.Delay(span, ct);
    }

    /// <summary>
    /// Kills whatever still runs of the isle and removes its cgroup, root filesystem, run directory
    /// and writable layer (and lifts the layer's disk limit); the log stays until <paramref name="keepLog"/> is false. Idempotent.
    /// The directories are renamed away at once and deleted in the background (<see cref="DiscardedAsync"/>).
    /// </summary>
    public async Task DeleteAsync(string name, CancellationToken ct = default, bool keepLog = true)
    {
        var process = Find(name);
        if (process is not null && launcher.Signal(process, 9))
            await WaitAsync(name, process, ct);
        else if (process is null && cgroups.Processes(name, ct) is { Count: > 0 } unknown)
            Recovered?.Invoke(name, $"killing processes {string.Join(", ", unknown)} in its cgroup: no init of one copy can be told among them");
        await cgroups.DeleteAsync(name, ct);
        _quota.Release(rootfs.UpperRoot(name));
        rootfs.Remove(name, _stateTrash);
        _runTrash.Discard(paths.IsleRunDir(name));
        if (File.Exists(paths.ExecProfileFile(name)))
            File.Delete(paths.ExecProfileFile(name)); // the isle's environment: not kept after it
        if (!keepLog)
            _stateTrash.Discard(paths.IsleStateDir(name));
    }
}
