using Islander.Drivers.Runtime;
using System.Diagnostics;
using Islander.Model;
using Islander.Testing;

namespace Islander.Integration.Tests.Isles;

/// <summary>What an isle sees of the machine: its own processes, hostname, root, network and IPC.</summary>
[Collection(IsleCollection.Name)]
public sealed class IsleIsolationTests : IAsyncDisposable
{
    readonly IsleHarness _h = new();

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task Run_Ps_ShowsOnlyTheIslesProcessesWithItsCommandAsPid1()
    {
        var output = await _h.OutputAsync(IsleHarness.Spec("sh", "-c", "ps -o pid,args; true"));

        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        var processes = lines.Skip(1).ToList();
        Assert.Equal(2, processes.Count);
        Assert.Equal("1 sh -c ps -o pid,args; true", processes[0]);
        Assert.Contains("{ps}", processes[1]); // busybox runs ps in a forked sh
    }

    [Fact]
    public async Task Run_Hostname_IsTheIslesOwn()
    {
        Assert.Equal("islet", await _h.OutputAsync(IsleHarness.Spec("hostname") with { Hostname = "islet" }));
    }

    [Fact]
    public async Task Run_HostFileOutsideRootfs_IsNotReachable()
    {
        string secret = Path.Combine(_h.HostDir, "secret");
        await File.WriteAllTextAsync(secret, "host only", TestContext.Current.CancellationToken);

        var (status, output) = await _h.RunAsync(IsleHarness.Spec("cat", secret));

        Assert.NotEqual(0, status.Code);
        Assert.DoesNotContain("host only", output);
    }

    [Fact]
    public async Task Run_WithoutNetwork_OnlyLoopbackExistsAndWorks()
    {
        var output = await _h.OutputAsync(IsleHarness.Spec("sh", "-c", "ls /sys/class/net; ping -c 1 -W 2 127.0.0.1 >/dev/null && echo reachable"));

        Assert.Equal("lo\nreachable", output);
    }

    [Fact]
    public async Task Run_Namespaces_DifferFromTheHosts()
    {
        string[] kinds = ["pid", "mnt", "uts", "ipc", "net", "cgroup"];
        var output = await _h.OutputAsync(IsleHarness.Spec("sh", "-c", string.Join("; ", kinds.Select(k => $"readlink /proc/1/ns/{k}"))));

        var inside = output.Split('\n');
        for (int i = 0; i < kinds.Length; i++)
            Assert.NotEqual(File.ResolveLinkTarget($"/proc/self/ns/{kinds[i]}", false)!.ToString(), inside[i]);
    }

    [Fact]
    public async Task Run_HostSysVSharedMemory_IsNotVisible()
    {
        var ipcmk = Process.Start(new ProcessStartInfo("ipcmk", "-M 4096") { RedirectStandardOutput = true })!;
        string created = await ipcmk.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await ipcmk.WaitForExitAsync(TestContext.Current.CancellationToken);
        string id = created.Trim().Split(' ')[^1];
        try
        {
            Assert.Contains(id, await File.ReadAllTextAsync("/proc/sysvipc/shm", TestContext.Current.CancellationToken));
            var inside = await _h.OutputAsync(IsleHarness.Spec("cat", "/proc/sysvipc/shm"));
            Assert.Single(inside.Split('\n')); // the header only
        }
        finally
        {
            Process.Start("ipcrm", ["-m", id])!.WaitForExit();
        }
    }

    [Fact]
    public async Task Run_ProcSelfCgroup_ShowsTheIslesGroupAsRoot()
    {
        var output = await _h.OutputAsync(IsleHarness.Spec("cat", "/proc/self/cgroup"));

        Assert.All(output.Split('\n'), line => Assert.EndsWith(":/", line));
    }

    [Fact]
    public async Task Run_WritesToRoot_LandInTheUpperLayerNotTheBase()
    {
        var output = await _h.OutputAsync(IsleHarness.Spec("sh", "-c", "echo x > /etc/written && rm /etc/os-release && ls /etc"));

        Assert.Contains("written", output);
        Assert.False(File.Exists(Path.Combine(TestRootfs.Busybox, "etc", "written")));
        Assert.True(File.Exists(Path.Combine(TestRootfs.Busybox, "etc", "os-release")));
    }

    [Fact]
    public async Task Run_EnvWorkingDirAndUser_AreApplied()
    {
        var spec = IsleHarness.Spec("sh", "-c", "echo $GREETING; pwd; id -u; id -g") with
        {
            Env = [new EnvVar("GREETING", "hello")],
            WorkingDir = "/tmp",
            User = "1000:1001",
        };

        Assert.Equal("hello\n/tmp\n1000\n1001", await _h.OutputAsync(spec));
    }

    // runc CVE-2024-21626: the working directory is resolved in the isle's root, where /proc/self/fd/N (a magic link
    // to whatever isle-init had open) is refused, and the failure is the spec's (InvalidManifest), not retried.
    [Theory]
    [InlineData("/proc/self/fd/1", 40)] // ELOOP: the log file, through a magic link
    [InlineData("/proc/self/fd/5", 2)] // ENOENT: isle-init's fd on the host's /proc was 5; it is closed by now
    [InlineData("/proc/self/cwd", 40)]
    [InlineData("/bin/sh", 20)] // ENOTDIR
    public async Task Run_WorkingDirThatCannotBeEntered_FailsAtChdirAsInvalidManifest(string workingDir, int errno)
    {
        var e = await Assert.ThrowsAsync<IsleStartException>(() => _h.StartAsync(IsleHarness.Spec("pwd") with { WorkingDir = workingDir }));

        Assert.Equal(("chdir", workingDir, errno), (e.Op, e.Path, e.Errno));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
    }

    [Fact]
    public async Task Run_WorkingDirWithDotDot_StaysInTheIsle()
    {
        Assert.Equal("/tmp", await _h.OutputAsync(IsleHarness.Spec("pwd") with { WorkingDir = "/../../tmp" }));
    }

    // A volume on /proc would hide the isle's procfs (runc's CVE-2019-16884/19921 hardening; Docker refuses it):
    // refused before anything is started, with nothing left behind.
    [Fact]
    public async Task Run_VolumeOnProc_IsRefusedBeforeStart()
    {
        var fake = Directory.CreateDirectory(Path.Combine(_h.HostDir, "fake-proc")).FullName;
        var spec = IsleHarness.Spec("cat", "/proc/self/status") with { Volumes = [new VolumeMount { HostPath = fake, MountPath = "/proc" }] };

        var e = await Assert.ThrowsAsync<IslanderException>(() => _h.StartAsync(spec));

        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
        Assert.Contains("/proc", e.Message);
        Assert.Empty(await _h.LeftInRunIslesAsync());
    }

    // The same through a link: the image has /data -> /proc. isle-init checks where the path resolved to, as runc.
    [Fact]
    public async Task Run_VolumeOnALinkToProc_IsRefusedByIsleInit()
    {
        var layer = Directory.CreateDirectory(Path.Combine(_h.HostDir, "layer")).FullName;
        File.CreateSymbolicLink(Path.Combine(layer, "data"), "/proc");
        var volume = Directory.CreateDirectory(Path.Combine(_h.HostDir, "volume")).FullName;
        var spec = IsleHarness.Spec("cat", "/proc/self/status") with { Volumes = [new VolumeMount { HostPath = volume, MountPath = "/data" }] };
        var name = "t-" + Guid.NewGuid().ToString("N")[..8];
        _h.Track(name);

        var e = await Assert.ThrowsAsync<IsleStartException>(() =>
            _h.Runtime.StartAsync(name, spec, lowerDirs: [layer, TestRootfs.Busybox], ct: TestContext.Current.CancellationToken));

        Assert.Equal(("mount on /proc", 1, ErrorCategory.InvalidManifest), (e.Op, e.Errno, e.Category));
        Assert.EndsWith("/data", e.Path);
    }

    [Fact]
    public async Task Delete_AfterRun_LeavesNoCgroupMountOrRunDirectory()
    {
        var (name, process) = await _h.StartAsync(IsleHarness.Spec("sleep", "100"));
        string mountPoint = Path.Combine(_h.Paths.IsleRunDir(name), "rootfs");
        Assert.True(_h.Cgroups.Exists(name, TestContext.Current.CancellationToken));

        await _h.Runtime.DeleteAsync(name, TestContext.Current.CancellationToken);

        Assert.False(_h.Cgroups.Exists(name, TestContext.Current.CancellationToken));
        Assert.DoesNotContain($" {mountPoint} ", await File.ReadAllTextAsync("/proc/self/mountinfo", TestContext.Current.CancellationToken));
        Assert.False(Directory.Exists(_h.Paths.IsleRunDir(name)));
        Assert.False(Directory.Exists($"/proc/{process.InitPid}") && File.ReadAllText($"/proc/{process.InitPid}/cmdline").Contains("sleep"));
    }
}
