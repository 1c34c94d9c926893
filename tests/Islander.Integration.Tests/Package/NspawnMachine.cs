using System.Diagnostics;
using System.Globalization;
using System.Text;
using Islander.Testing;

namespace Islander.Integration.Tests.Package;

/// <summary>
/// A copy of <see cref="DebianTree"/> booted with <c>systemd-nspawn --boot</c>: systemd is PID 1 in it, as on a machine
/// an administrator installs the package on. Commands run in it through nsenter (no machined on a test host: the
/// machine is not registered). Everything it makes is removed by <see cref="DisposeAsync"/>, when a test fails too: the
/// machine (powered off, then killed), its cgroups, the copy of the tree.
/// </summary>
/// <remarks>
/// <para>The cgroup fixture. On a cgroup v1 (or hybrid) host nspawn mounts each controller hierarchy inside the machine
/// read-only (nspawn-cgroup.c, mount_legacy_cgns_supported: the bind mount is remounted MS_RDONLY unless the machine has
/// a user namespace), so islanderd there fails at its first isle: <c>mkdir /sys/fs/cgroup/cpu/islander: EROFS</c>. A
/// host systemd delegates no v1 controllers to containers for the same reason ("delegation of controllers is generally not
/// safe there"). So the fixture delegates one subtree itself, as a container manager would: it makes a cgroup of its own
/// below this process's cgroup in every hierarchy (this process stays where it is), moves nspawn into them before
/// nspawn's exec, and hands nspawn a tmpfs at /sys/fs/cgroup plus a writable bind of each controller's subtree
/// (<c>--tmpfs</c>, <c>--bind</c>). nspawn finds those already mounted and leaves them alone (it skips a hierarchy that
/// is a mount point), mounts name=systemd and the unified hierarchy itself, and puts the machine in a cgroup namespace
/// rooted at the same subtree. Inside, systemd and islanderd see their own cgroup root and can write under it, and the
/// isles' cgroups land in the fixture's subtree on the host.</para>
/// <para>The network: <c>--private-network</c> (the machine has only lo), so nothing in it reaches the host's bridges or
/// nftables. A reboot ends nspawn with exit status 133; <see cref="RebootAsync"/> boots the tree again, as
/// systemd-nspawn@.service does with RestartForceExitStatus=133.</para>
/// </remarks>
public sealed class NspawnMachine : IAsyncDisposable
{
    static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(90);

    readonly string _dir;
    readonly List<string> _cgroups = [];
    readonly List<string> _binds = [];
    readonly StringBuilder _console = new();
    Process? _nspawn;

    NspawnMachine(string name, string dir)
    {
        Name = name;
        _dir = dir;
    }

    public string Name { get; }

    /// <summary>The machine's root directory, as the host sees it: files put here are in the machine.</summary>
    public string Root => Path.Combine(_dir, "root");

    /// <summary>The machine's PID 1 (systemd), as the host sees it.</summary>
    public int Leader { get; private set; }

    /// <summary>What the machine printed on its console so far, for failure messages.</summary>
    public string Console { get { lock (_console) return _console.ToString(); } }

    /// <summary>Copies the Debian tree (made when missing) and makes the machine's cgroups; <see cref="BootAsync"/> starts it.</summary>
    public static NspawnMachine Create()
    {
        HostCaps.RequireRoot();
        foreach (var tool in (string[])["systemd-nspawn", "nsenter", "debootstrap"])
            Assert.True(Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(d => File.Exists(Path.Combine(d, tool))),
                $"{tool} is not installed; run scripts/setup.sh (systemd-container, util-linux, debootstrap)");
        string tree = DebianTree.Path;
        string name = $"isl-pkg-{Guid.NewGuid().ToString("N")[..8]}";
        var machine = new NspawnMachine(name, Path.Combine(Path.GetTempPath(), $"islander-test-{name}"));
        try
        {
            Directory.CreateDirectory(machine._dir);
            Command.Ok("cp", ["-a", "--reflink=auto", tree, machine.Root], TimeSpan.FromMinutes(3));
            machine.MakeCgroups();
            return machine;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or Xunit.Sdk.XunitException)
        {
            machine.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>
    /// A cgroup <see cref="Name"/> below this process's own in every hierarchy of /proc/self/cgroup (read once, before
    /// anything moves), and the bind of each v1 controller hierarchy's new subtree into the machine.
    /// </summary>
    void MakeCgroups()
    {
        foreach (var line in File.ReadAllLines("/proc/self/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3) continue;
            var (controllers, own) = (parts[1], parts[2]);
            string? mount = controllers switch
            {
                "" => HostCaps.Cgroup2Root,
                "name=systemd" => "/sys/fs/cgroup/systemd",
                _ when controllers.StartsWith("name=", StringComparison.Ordinal) => null,
                _ => $"/sys/fs/cgroup/{controllers}",
            };
            if (mount is null || !Directory.Exists(mount)) continue;
            string parent = mount + own.TrimEnd('/');
            string group = Path.Combine(parent, Name);
            Directory.CreateDirectory(group);
            _cgroups.Add(group);
            // A new v1 cpuset group refuses tasks until it has CPUs and memory nodes: its parent's.
            foreach (var file in (string[])["cpuset.cpus", "cpuset.mems"])
                if (File.Exists(Path.Combine(group, file)) && string.IsNullOrWhiteSpace(File.ReadAllText(Path.Combine(group, file))))
                    File.WriteAllText(Path.Combine(group, file), File.ReadAllText(Path.Combine(parent, file)).Trim());
            if (controllers is not "" and not "name=systemd")
                _binds.Add($"--bind={group}:/sys/fs/cgroup/{controllers}");
        }
    }

    /// <summary>Boots the machine and waits until systemd says the boot is over (running or degraded).</summary>
    public async Task BootAsync()
    {
        Assert.Null(_nspawn);
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        // The wrapper moves itself into the machine's cgroups, then becomes nspawn: nspawn and the machine start there.
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("""n=$1; shift; for ((i = 0; i < n; i++)); do echo $$ > "$1/cgroup.procs"; shift; done; exec systemd-nspawn "$@" """);
        info.ArgumentList.Add("nspawn");
        info.ArgumentList.Add(_cgroups.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var g in _cgroups) info.ArgumentList.Add(g);
        foreach (var a in (string[])["--quiet", $"--directory={Root}", $"--machine={Name}", "--boot", "--keep-unit", "--register=no",
                     "--private-network", "--console=read-only", "--tmpfs=/sys/fs/cgroup:mode=0755", .. _binds])
            info.ArgumentList.Add(a);
        // nspawn reads these; the test host's own values (a DOTNET_ or SYSTEMD_ variable) must not change the machine.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("SYSTEMD_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(key);
        _nspawn = Process.Start(info)!;
        _nspawn.StandardInput.Close();
        _nspawn.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_console) _console.AppendLine(e.Data); };
        _nspawn.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_console) _console.AppendLine(e.Data); };
        _nspawn.BeginOutputReadLine();
        _nspawn.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while ((Leader = FindLeader(_nspawn.Id)) == 0)
        {
            Assert.False(_nspawn.HasExited, $"systemd-nspawn ended with {(_nspawn.HasExited ? _nspawn.ExitCode : 0)} before booting:\n{Console}");
            Assert.True(clock.Elapsed < BootTimeout, $"no systemd in machine {Name} after {BootTimeout}:\n{Console}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        // systemctl answers once PID 1 listens on its private socket; until then "Failed to connect to bus".
        CommandResult state;
        while ((state = Run("systemctl is-system-running --wait", BootTimeout)).Out.Trim() is not ("running" or "degraded"))
        {
            Assert.True(clock.Elapsed < BootTimeout, $"machine {Name} did not finish booting: {state}\n{Console}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>
    /// Reboots the machine from inside (<c>systemctl reboot</c>) and boots it again, as systemd-nspawn@.service restarts
    /// on nspawn's exit status 133 (the machine asked for a reboot).
    /// </summary>
    public async Task RebootAsync()
    {
        Run("systemctl reboot", TimeSpan.FromSeconds(30));
        var nspawn = _nspawn!;
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken))
        {
            cts.CancelAfter(BootTimeout);
            await nspawn.WaitForExitAsync(cts.Token);
        }
        Assert.True(nspawn.ExitCode == 133, $"after systemctl reboot, systemd-nspawn ended with {nspawn.ExitCode}, not 133 (reboot):\n{Console}");
        nspawn.Dispose();
        _nspawn = null;
        await BootAsync();
    }

    /// <summary>Runs <paramref name="script"/> with /bin/sh in the machine (all its namespaces, its root), as root with a clean environment.</summary>
    public CommandResult Run(string script, TimeSpan? timeout = null) =>
        Command.Run("nsenter", ["--target", Leader.ToString(CultureInfo.InvariantCulture), "--all", "-r", "-w", "--",
            "/usr/bin/env", "-i", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "DEBIAN_FRONTEND=noninteractive",
            "/bin/sh", "-c", script], timeout ?? TimeSpan.FromMinutes(2));

    /// <summary>As <see cref="Run"/>; a non-zero exit fails the test with the output and the journal's last lines.</summary>
    public string Ok(string script, TimeSpan? timeout = null)
    {
        var r = Run(script, timeout);
        if (r.Code != 0)
            Assert.Fail($"in machine {Name}: `{script}`: {r}\njournal:\n{Run("journalctl -b --no-pager -n 60").Out}");
        return r.Out;
    }

    /// <summary>The pid of systemd's PID 1 in the machine: nspawn's child named systemd.</summary>
    static int FindLeader(int nspawn)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == nspawn && stat.Contains("(systemd)", StringComparison.Ordinal))
                    return pid;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (_nspawn is { } nspawn)
        {
            if (!nspawn.HasExited && Leader != 0)
            {
                Command.Run("kill", ["-s", "SIGRTMIN+4", Leader.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5)); // systemd: poweroff
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await nspawn.WaitForExitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    // A machine that does not power off: killing its PID 1 ends every process in its PID namespace.
                    Command.Run("kill", ["-KILL", Leader.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
                    nspawn.Kill(entireProcessTree: true);
                    await nspawn.WaitForExitAsync(CancellationToken.None);
                }
            }
            nspawn.Dispose();
        }
        await RemoveCgroupsAsync();
        Clean();
    }

    /// <summary>Removes the machine's cgroups, deepest first, once the processes in them have gone (they may take a moment).</summary>
    async Task RemoveCgroupsAsync()
    {
        var deadline = Stopwatch.StartNew();
        foreach (var group in _cgroups.Where(Directory.Exists))
        {
            foreach (var dir in Directory.EnumerateDirectories(group, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).Append(group))
            {
                while (true)
                {
                    try
                    {
                        Directory.Delete(dir); // rmdir: a cgroup goes once it has no processes and no children
                        break;
                    }
                    catch (IOException) when (deadline.Elapsed < TimeSpan.FromSeconds(20))
                    {
                        await Task.Delay(100, CancellationToken.None);
                    }
                }
            }
        }
    }

    void Clean()
    {
        if (Directory.Exists(_dir))
            Command.Run("rm", ["-rf", "--one-file-system", _dir], TimeSpan.FromMinutes(2));
        // nspawn's per-machine directory for mount propagation; it cannot remove it when /run is not a tmpfs.
        string propagate = Path.Combine("/run/systemd/nspawn/propagate", Name);
        if (Directory.Exists(propagate))
            Directory.Delete(propagate, recursive: true);
    }
}
