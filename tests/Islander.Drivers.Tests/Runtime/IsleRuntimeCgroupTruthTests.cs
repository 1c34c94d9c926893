using System.Diagnostics;
using Islander.Drivers.Rootfs;
using Islander.Drivers.Runtime;
using Islander.Model;
using Islander.Testing;

namespace Islander.Drivers.Tests.Runtime;

/// <summary>
/// <see cref="IsleRuntime"/> takes the isle's cgroup for the truth when its process file is gone. Real processes stand
/// in for a shim and its init: a copy of the shell named <c>islander:shim</c> (comm comes from the executable's name)
/// and its child; the cgroup is the fake driver's, holding the child's pid.
/// </summary>
public sealed class IsleRuntimeCgroupTruthTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("islander-truth-").FullName;
    readonly FakeCgroupDriver _cgroups = new();
    readonly List<Process> _shims = [];
    readonly IsleRuntime _runtime;

    public IsleRuntimeCgroupTruthTests()
    {
        var paths = new RuntimePaths(Path.Combine(_dir, "state"), Path.Combine(_dir, "run"));
        _runtime = new IsleRuntime(new LinuxProcessLauncher(), _cgroups, new FakeNetworkDriver(), new OverlayRootfs(paths.StateRoot, paths.RunRoot), paths);
    }

    /// <summary>Starts a fake shim whose child (the "init") sleeps; returns (shim, init) pids.</summary>
    (int Shim, int Init) StartShim(string comm = "islander:shim")
    {
        string bin = Path.Combine(_dir, comm);
        if (!File.Exists(bin)) File.Copy("/bin/sh", bin);
        var p = Process.Start(new ProcessStartInfo(bin, ["-c", "sleep 1000 & wait"]) { UseShellExecute = false })!;
        _shims.Add(p);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var task in Directory.GetDirectories($"/proc/{p.Id}/task"))
                if (File.Exists(Path.Combine(task, "children")) && File.ReadAllText(Path.Combine(task, "children")).Trim() is { Length: > 0 } kids)
                    return (p.Id, int.Parse(kids.Split(' ')[0]));
            Thread.Sleep(5);
        }
        throw new TimeoutException("the fake shim started no child");
    }

    [Fact]
    public void ProcessFileGone_InitInTheCgroup_IsAdoptedAndTheFileRewritten()
    {
        var (shim, init) = StartShim();
        _cgroups.Create("web", new IsleResources(), Islander.Drivers.Cgroups.DevicePolicy.Allowlist, TestContext.Current.CancellationToken);
        _cgroups.AddProcess("web", init, TestContext.Current.CancellationToken);
        string? said = null;
        _runtime.Recovered += (_, what) => said = what;

        var found = _runtime.Find("web");

        Assert.NotNull(found);
        Assert.Equal((init, shim), (found.InitPid, found.ShimPid));
        Assert.True(_runtime.IsRunning(found));
        Assert.True(File.Exists(_runtime.Paths.ProcessFile("web")));
        Assert.Contains($"adopted init {init}", said);
        var again = _runtime.Find("web")!; // now from the rewritten file
        Assert.Equal((found.InitPid, found.InitStartTime, found.ShimPid, found.ShimStartTime), (again.InitPid, again.InitStartTime, again.ShimPid, again.ShimStartTime));
    }

    [Fact]
    public void Locate_ARunningInitIsRunning_KilledFromOutsideItIsNot_AnotherProcessUnderItsPidIsNot()
    {
        var (shim, init) = StartShim();
        _cgroups.Create("web", new IsleResources(), Islander.Drivers.Cgroups.DevicePolicy.Allowlist, TestContext.Current.CancellationToken);
        _cgroups.AddProcess("web", init, TestContext.Current.CancellationToken);
        var adopted = _runtime.Find("web")!;

        Assert.Equal((adopted.InitPid, true), (_runtime.Locate("web").Process?.InitPid, _runtime.Locate("web").Running));

        // The recorded PID now names a process that started at another time (a reused PID): not the isle's init.
        File.WriteAllText(_runtime.Paths.ProcessFile("web"), $"{Environment.ProcessId} {shim} 0 {adopted.InitStartTime} {adopted.ShimStartTime}");
        var reused = _runtime.Locate("web");
        Assert.Equal((init, true), (reused.Process?.InitPid, reused.Running)); // the real init, found in its cgroup again

        _ = Tmds.Linux.LibC.kill(init, Tmds.Linux.LibC.SIGKILL); // the isle killed from outside; its shim reaps it
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Directory.Exists($"/proc/{init}") && DateTime.UtcNow < deadline)
            Thread.Sleep(10);
        var ended = _runtime.Locate("web");
        Assert.Equal((init, false), (ended.Process?.InitPid, ended.Running)); // the recorded init, ended
        _shims.Single(p => p.Id == shim).WaitForExit(5000); // its wait returned: the shim ends too
    }

    [Fact]
    public void TheShimsJoinHelperBesideInit_IsNotTakenForIt()
    {
        // While it starts init on cgroup v1, the shim's islander:join child is in the isle's groups too, started first.
        string join = Path.Combine(_dir, "islander:join"), shimBin = Path.Combine(_dir, "islander:shim");
        string fifo = Path.Combine(_dir, "fifo"); // the helper waits on it in a builtin: no child of its own to leave behind
        File.Copy("/bin/sh", join);
        File.Copy("/bin/sh", shimBin);
        Process.Start("mkfifo", [fifo]).WaitForExit();
        var shim = Process.Start(new ProcessStartInfo(shimBin, ["-c", $"'{join}' -c 'read x < {fifo}' & sleep 0.1; sleep 1000 & wait"]) { UseShellExecute = false })!;
        _shims.Add(shim);
        int helper = 0, init = 0;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((helper == 0 || init == 0) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
            var children = Directory.GetDirectories($"/proc/{shim.Id}/task")
                .SelectMany(t => File.ReadAllText(Path.Combine(t, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(int.Parse)
                .ToDictionary(pid => pid, pid => File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim());
            helper = children.FirstOrDefault(c => c.Value.StartsWith(join, StringComparison.Ordinal)).Key;
            init = children.FirstOrDefault(c => c.Value == "sleep 1000").Key;
        }
        Assert.True(helper != 0 && init != 0, "the fake shim did not start both children");
        _cgroups.Create("web", new IsleResources(), Islander.Drivers.Cgroups.DevicePolicy.Allowlist, TestContext.Current.CancellationToken);
        _cgroups.AddProcess("web", helper, TestContext.Current.CancellationToken);

        Assert.Null(_runtime.Find("web")); // the helper alone is no init

        _cgroups.AddProcess("web", init, TestContext.Current.CancellationToken);
        var found = _runtime.Find("web");

        Assert.NotNull(found);
        Assert.Equal((init, shim.Id), (found.InitPid, found.ShimPid));
    }

    [Fact]
    public async Task TwoShimsWithAnInitEach_NoneIsAdopted_AndAStartIsRefused()
    {
        var (_, first) = StartShim();
        var (_, second) = StartShim();
        _cgroups.Create("web", new IsleResources(), Islander.Drivers.Cgroups.DevicePolicy.Allowlist, TestContext.Current.CancellationToken);
        _cgroups.AddProcess("web", first, TestContext.Current.CancellationToken);
        _cgroups.AddProcess("web", second, TestContext.Current.CancellationToken);

        Assert.Null(_runtime.Find("web"));
        var e = await Assert.ThrowsAsync<IslanderException>(() => _runtime.StartAsync("web", new IsleSpec { Rootfs = _dir, Command = ["true"] }, ct: TestContext.Current.CancellationToken));
        Assert.Contains("still has processes in its cgroup", e.Message);
        Assert.Equal(ErrorCategory.Transient, e.Category);
    }

    [Fact]
    public void AProcessOfTheIsleNamedLikeAShim_IsNotTakenForOne()
    {
        var (shim, init) = StartShim();
        _cgroups.Create("web", new IsleResources(), Islander.Drivers.Cgroups.DevicePolicy.Allowlist, TestContext.Current.CancellationToken);
        _cgroups.AddProcess("web", shim, TestContext.Current.CancellationToken); // the "shim" is inside the isle's cgroup: an isle process that named itself so
        _cgroups.AddProcess("web", init, TestContext.Current.CancellationToken);

        Assert.Null(_runtime.Find("web"));
    }

    public void Dispose()
    {
        foreach (var p in _shims)
        {
            // A shim whose init was killed has ended by itself (its shell's wait returned).
            foreach (var task in p.HasExited ? [] : Directory.GetDirectories($"/proc/{p.Id}/task"))
                foreach (var kid in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    _ = Tmds.Linux.LibC.kill(int.Parse(kid), Tmds.Linux.LibC.SIGKILL);
            p.Kill();
            p.WaitForExit();
            p.Dispose();
        }
        Directory.Delete(_dir, recursive: true);
    }
}
