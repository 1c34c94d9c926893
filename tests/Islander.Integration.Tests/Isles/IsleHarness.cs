using Islander.Drivers.Cgroups;
using Islander.Drivers.Network;
using Islander.Drivers.Rootfs;
using Islander.Drivers.Runtime;
using Islander.Model;
using Islander.Testing;

namespace Islander.Integration.Tests.Isles;

/// <summary>Isle tests run one at a time: they OOM, fork-bomb and measure CPU on a shared kernel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IsleCollection
{
    public const string Name = "isles (root, real kernel)";
}

/// <summary>
/// Runs isles through the real <see cref="IsleRuntime"/> — isle-init, overlay, cgroups, seccomp —
/// on the busybox test rootfs, with state, run directories and a parent cgroup of its own, all
/// removed on dispose. Skips off root; as root a missing kernel feature fails.
/// </summary>
public sealed class IsleHarness : IAsyncDisposable
{
    readonly List<string> _isles = [];
    readonly string _dir;
    readonly bool _cgroup2;

    public IsleHarness()
        : this(cgroup2: false)
    {
    }

    /// <param name="cgroup2">
    /// Use the v2 driver on the host's cgroup2 hierarchy whatever the host's version: on a hybrid host that is
    /// <c>/sys/fs/cgroup/unified</c>, which has no controllers (no limits) but enforces device filters.
    /// </param>
    /// <param name="stateRoot">Where isles' writable layers go (a filesystem of the test's); null for the harness's temp directory.</param>
    /// <param name="network">The network driver the runtime brings lo up with; null for the real bridge driver.</param>
    IsleHarness(bool cgroup2, string? stateRoot = null, INetworkDriver? network = null)
    {
        HostCaps.Require(HostCaps.Cgroups is not null, "a cgroup filesystem at /sys/fs/cgroup");
        if (cgroup2)
            Assert.SkipUnless(HostCaps.Cgroup2Root is not null, $"needs a cgroup2 hierarchy (unified or hybrid); this host is {HostCaps.Cgroups}");
        _cgroup2 = cgroup2;
        _dir = Directory.CreateTempSubdirectory("islander-isle-test-").FullName;
        // As /var/lib/islander and /run/islander: traversable by an isle's remapped root.
        File.SetUnixFileMode(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        CgroupParent = "islander-test-" + Guid.NewGuid().ToString("N")[..8];
        Cgroups = cgroup2 ? new CgroupV2Driver(HostCaps.Cgroup2Root!, CgroupParent) : CgroupDetector.CreateDriver(HostCaps.Cgroups!, CgroupParent);
        Paths = new RuntimePaths(stateRoot ?? Path.Combine(_dir, "state"), Path.Combine(_dir, "run"));
        Runtime = new IsleRuntime(new LinuxProcessLauncher(), Cgroups, network ?? new BridgeNetworkDriver(), new OverlayRootfs(Paths.StateRoot, Paths.RunRoot), Paths);
    }

    /// <summary>A harness whose isles keep their writable layers under <paramref name="stateRoot"/> (e.g. on a test filesystem with quotas).</summary>
    public static IsleHarness WithStateRoot(string stateRoot) => new(cgroup2: false, stateRoot);

    /// <summary>A harness whose runtime asks <paramref name="network"/> to bring an isle's lo up (a fake that counts the requests).</summary>
    public static IsleHarness WithNetworkDriver(INetworkDriver network) => new(cgroup2: false, network: network);

    /// <summary>A harness whose isles go into the host's cgroup2 hierarchy through the v2 driver (see the constructor).</summary>
    public static IsleHarness OnCgroup2() => new(cgroup2: true);

    public IsleRuntime Runtime { get; }
    public ICgroupDriver Cgroups { get; }
    public RuntimePaths Paths { get; }
    public string CgroupParent { get; }

    /// <summary>A temp directory of the test's, outside the isle's root.</summary>
    public string HostDir => _dir;

    public static IsleSpec Spec(params string[] command) => new() { Rootfs = TestRootfs.Busybox, Command = command, RestartPolicy = RestartPolicy.Never };

    /// <summary>
    /// The host's view of <paramref name="pid"/>'s groups (/proc/PID/cgroup, split: id, controllers, path) in each
    /// hierarchy this harness's isles join: "4:memory:/PARENT/ISLE", "1:name=systemd:/PARENT/ISLE", "0::/PARENT/ISLE"
    /// (on the v2 driver the last only).
    /// </summary>
    public IReadOnlyList<string[]> IsleHierarchiesOf(int pid) =>
        File.ReadAllLines($"/proc/{pid}/cgroup").Select(l => l.Split(':', 3))
            .Where(f => f[1].Length == 0 || (!_cgroup2 && (f[1] == "name=systemd" || f[1].Split(',').Any(c => CgroupV1Driver.HierarchyNames.Values.Contains(c)))))
            .ToList();

    /// <summary>Has the harness delete isle <paramref name="name"/> on dispose.</summary>
    public void Track(string name) => _isles.Add(name);

    /// <summary>Starts an isle with its output in a log file; the harness deletes it on dispose.</summary>
    /// <param name="namedVolumePaths">The host paths of the named volumes the spec mounts (volume → path), as the daemon passes them.</param>
    public async Task<(string Name, IsleProcess Process)> StartAsync(IsleSpec spec, string? name = null, IReadOnlyDictionary<string, string>? namedVolumePaths = null)
    {
        name ??= "t-" + Guid.NewGuid().ToString("N")[..8];
        _isles.Add(name);
        return (name, await Runtime.StartAsync(name, spec, ct: TestContext.Current.CancellationToken, namedVolumePaths: namedVolumePaths));
    }

    /// <summary>Runs an isle to its end (at most <paramref name="timeoutSeconds"/>) and returns its status and output.</summary>
    public async Task<IsleRun> RunAsync(IsleSpec spec, int timeoutSeconds = 30, IReadOnlyDictionary<string, string>? namedVolumePaths = null)
    {
        var (name, process) = await StartAsync(spec, namedVolumePaths: namedVolumePaths);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds));
        var status = await Runtime.WaitAsync(name, process, timeout.Token);
        Assert.NotNull(status);
        return new IsleRun(name, status, Log(name));
    }

    /// <summary>What the isle wrote to stdout and stderr (the text of its log's entries, in order).</summary>
    public string Log(string name) => string.Concat(JsonFileLog.ReadAll(Paths.LogFile(name)).Select(e => e.Log));

    /// <summary>Output of a command run in a fresh isle, which must exit 0.</summary>
    public async Task<string> OutputAsync(IsleSpec spec, IReadOnlyDictionary<string, string>? namedVolumePaths = null)
    {
        var (status, output) = await RunAsync(spec, namedVolumePaths: namedVolumePaths);
        Assert.True(status.Code == 0, $"isle exited {status.Code}: {output}");
        return output.Trim();
    }

    /// <summary>What is left under RUN/isles once the runtime's background deletes are done (<see cref="LeftIn"/>).</summary>
    public async Task<string[]> LeftInRunIslesAsync()
    {
        await Runtime.DiscardedAsync();
        return LeftIn(Paths.IslesRunRoot);
    }

    /// <summary>
    /// What is left in an isles directory (STATE/isles, RUN/isles): an isle's directory, or something of one in the
    /// trash (the trash directory itself is nobody's).
    /// </summary>
    public static string[] LeftIn(string isles)
    {
        string trash = Path.Combine(isles, ".trash");
        return !Directory.Exists(isles) ? []
            : [.. Directory.GetFileSystemEntries(isles).Where(e => e != trash), .. Directory.Exists(trash) ? Directory.GetFileSystemEntries(trash) : []];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var isle in _isles)
            await Runtime.DeleteAsync(isle, CancellationToken.None, keepLog: false);
        await Runtime.DiscardedAsync(); // the background deletes of their directories, before the directory goes
        foreach (var dir in Directory.GetDirectories(HostCaps.Cgroups!.Root).Select(h => Path.Combine(h, CgroupParent)).Append(Path.Combine(HostCaps.Cgroups.Root, CgroupParent)))
            if (Directory.Exists(dir))
                Directory.Delete(dir);
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>An isle that ran to its end.</summary>
public sealed record IsleRun(string Name, IsleExitStatus Status, string Output)
{
    public void Deconstruct(out IsleExitStatus status, out string output) => (status, output) = (Status, Output);
}
