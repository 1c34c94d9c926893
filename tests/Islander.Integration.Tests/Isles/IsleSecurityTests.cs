using Islander.Drivers.Security;
using Islander.Model;
using Islander.Testing;

namespace Islander.Integration.Tests.Isles;

/// <summary>Docker's security defaults as seen from inside an isle, and their opt-outs.</summary>
[Collection(IsleCollection.Name)]
public sealed class IsleSecurityTests : IAsyncDisposable
{
    readonly IsleHarness _h = new();

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    static IsleSpec Secured(IsleSecurity security, params string[] command) => IsleHarness.Spec(command) with { Security = security };

    async Task<Dictionary<string, string>> StatusAsync(IsleSecurity security)
    {
        var output = await _h.OutputAsync(Secured(security, "cat", "/proc/self/status"));
        return output.Split('\n').Select(l => l.Split(':', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim());
    }

    [Fact]
    public async Task Run_Defaults_DockersCapabilitiesAndSeccompWithoutNoNewPrivs()
    {
        var status = await StatusAsync(new IsleSecurity());

        Assert.Equal(((ulong)CapabilityPolicy.DockerDefault).ToString("x16"), status["CapBnd"]);
        Assert.Equal(((ulong)CapabilityPolicy.DockerDefault).ToString("x16"), status["CapEff"]);
        Assert.Equal("0000000000000000", status["CapInh"]);
        Assert.Equal("0", status["NoNewPrivs"]); // Docker's default: setuid programs work
        Assert.Equal("2", status["Seccomp"]); // SECCOMP_MODE_FILTER
    }

    [Fact]
    public async Task Run_NoNewPrivileges_SetWithTheSeccompFilter()
    {
        var status = await StatusAsync(new IsleSecurity { NoNewPrivileges = true });

        Assert.Equal("1", status["NoNewPrivs"]);
        Assert.Equal("2", status["Seccomp"]);
    }

    [Fact]
    public async Task Run_CapAddAndCapDrop_ChangeTheBoundingSet()
    {
        var status = await StatusAsync(new IsleSecurity { CapAdd = ["NET_ADMIN"], CapDrop = ["CHOWN"] });

        ulong bounding = Convert.ToUInt64(status["CapBnd"], 16);
        Assert.NotEqual(0UL, bounding & (ulong)CapabilitySet.NetAdmin);
        Assert.Equal(0UL, bounding & (ulong)CapabilitySet.Chown);
    }

    [Fact]
    public async Task Run_Privileged_AllCapabilitiesNoSeccomp()
    {
        var status = await StatusAsync(new IsleSecurity { Privileged = true });

        // All the host has: its own bounding set may lack some (this CI machine's lacks CAP_SYS_RESOURCE).
        var host = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("CapBnd:")).Split('\t')[1];
        Assert.Equal(host, status["CapBnd"]);
        Assert.Equal("0", status["Seccomp"]);
    }

    [Fact]
    public async Task Run_DefaultSeccomp_DeniesWhatDockerDenies()
    {
        // A new user namespace needs no capability, but Docker's profile refuses it without CAP_SYS_ADMIN.
        var (status, output) = await _h.RunAsync(IsleHarness.Spec("unshare", "-U", "true"));
        Assert.NotEqual(0, status.Code);
        Assert.Contains("Operation not permitted", output);

        var unconfined = await _h.RunAsync(Secured(new IsleSecurity { Seccomp = "unconfined" }, "unshare", "-U", "true"));
        Assert.Equal(0, unconfined.Status.Code);
    }

    [Fact]
    public async Task Run_MaskedProcPaths_ReadEmptyUnlessPrivileged()
    {
        var masked = await _h.OutputAsync(IsleHarness.Spec("sh", "-c", "wc -c < /proc/timer_list"));
        var privileged = await _h.OutputAsync(Secured(new IsleSecurity { Privileged = true }, "sh", "-c", "wc -c < /proc/timer_list"));

        Assert.Equal("0", masked);
        Assert.True(long.Parse(privileged) > 0);
    }

    [Fact]
    public async Task Run_ProcSys_IsReadOnly()
    {
        var (status, output) = await _h.RunAsync(IsleHarness.Spec("sh", "-c", "echo 1 > /proc/sys/kernel/ns_last_pid"));

        Assert.NotEqual(0, status.Code);
        Assert.Contains("Read-only file system", output);
    }

    [Fact]
    public async Task Run_DeviceNodeOfTheHostDisk_CannotBeOpenedThoughItCanBeMade()
    {
        HostCaps.Require(HostCaps.Cgroups!.DeviceAllowlist, "a device allowlist (cgroup v1 devices controller, or cgroup v2)");
        var (_, number) = HostDevices.RootDisk();
        var (major, minor) = (number.Split(':')[0], number.Split(':')[1]);

        var (status, output) = await _h.RunAsync(IsleHarness.Spec("sh", "-c", $"mknod /tmp/disk b {major} {minor} && head -c 1 /tmp/disk"));

        Assert.NotEqual(0, status.Code);
        Assert.Contains("Operation not permitted", output);
    }

    /// <summary>
    /// Devices that the host lets root open (this CI host refuses its root disk to root itself, so the test above
    /// alone would not tell): made inside the isle, refused by the allowlist, opened by a privileged isle.
    /// </summary>
    [Fact]
    public async Task Run_DeviceNodesOutsideDockersList_RefusedUnlessPrivileged()
    {
        HostCaps.Require(HostCaps.Cgroups!.DeviceAllowlist, "a device allowlist (cgroup v1 devices controller, or cgroup v2)");
        await AssertDockersDeviceListAsync(_h);
    }

    /// <summary>
    /// The same isle on the v2 driver (on this hybrid host: in /sys/fs/cgroup/unified), where the allowlist is a
    /// BPF_CGROUP_DEVICE program: the isle keeps CAP_MKNOD, as Docker's, and the kernel enforces the list.
    /// </summary>
    [Fact]
    public async Task Run_OnTheV2Driver_KeepsMknodAndDockersDeviceList()
    {
        await using var v2 = IsleHarness.OnCgroup2();
        await AssertDockersDeviceListAsync(v2);
    }

    /// <summary>CAP_MKNOD and "c *:* m" (nodes can be made, on v1 and v2 alike), but only Docker's list opens.</summary>
    static async Task AssertDockersDeviceListAsync(IsleHarness h)
    {
        HostCaps.Require(File.Exists("/dev/loop0"), "a loop device (/dev/loop0)");
        const string script = "grep CapEff /proc/self/status; echo x > /dev/null && echo null=ok; " +
                              "mknod /tmp/kmsg c 1 11 && echo made-char; head -c 0 /tmp/kmsg && echo kmsg=ok; " +
                              "mknod /tmp/loop b 7 0 && echo made-block; head -c 0 /tmp/loop && echo loop=ok; true";

        var (status, confined) = await h.RunAsync(IsleHarness.Spec("sh", "-c", script));
        var privileged = await h.OutputAsync(Secured(new IsleSecurity { Privileged = true }, "sh", "-c", script));

        Assert.Equal(0, status.Code);
        Assert.Contains($"CapEff:\t{(ulong)CapabilityPolicy.DockerDefault:x16}", confined);
        Assert.Contains("null=ok", confined);
        Assert.Contains("made-char", confined);
        Assert.Contains("made-block", confined);
        Assert.DoesNotContain("kmsg=ok", confined);
        Assert.DoesNotContain("loop=ok", confined);
        Assert.Contains("Operation not permitted", confined);
        Assert.Contains("kmsg=ok", privileged);
        Assert.Contains("loop=ok", privileged);
    }

    [Fact]
    public async Task Run_IsleInitBinary_IsNotReachableFromInside()
    {
        // Every process the isle can see runs the isle's own binaries; isle-init is not among them.
        var output = await _h.OutputAsync(IsleHarness.Spec("sh", "-c", "for p in /proc/[0-9]*; do readlink $p/exe; done; true"));

        Assert.DoesNotContain("isle-init", output);
        Assert.NotEmpty(output);
    }

    [Fact]
    public async Task Run_UserNamespace_MapsRootToAnUnprivilegedHostUser()
    {
        var map = new[] { new IdMapping(0, 100000, 65536) };
        var spec = Secured(new IsleSecurity { UserNamespace = new UserNamespace(map, map) }, "sh", "-c", "id -u; cat /proc/self/uid_map; sleep 5");
        var (name, process) = await _h.StartAsync(spec);

        await Task.Delay(500, TestContext.Current.CancellationToken);
        var lines = _h.Log(name).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("0", lines[0]);
        Assert.Equal(["0", "100000", "65536"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var hostUid = File.ReadAllLines($"/proc/{process.InitPid}/status").First(l => l.StartsWith("Uid:")).Split('\t')[1];
        Assert.Equal("100000", hostUid);
    }

    [Fact]
    public async Task Run_ReadOnlyRootFilesystem_RefusesWrites()
    {
        var (status, output) = await _h.RunAsync(Secured(new IsleSecurity { ReadOnlyRootFilesystem = true }, "touch", "/etc/x"));

        Assert.NotEqual(0, status.Code);
        Assert.Contains("Read-only file system", output);
    }

    /// <summary>A static program that calls the three io_uring syscalls and prints their errnos (0: it worked).</summary>
    const string IoUringProbe = """
        #include <errno.h>
        #include <stdio.h>
        #include <string.h>
        #include <unistd.h>
        #include <sys/syscall.h>
        #include <linux/io_uring.h>
        static int err(long rc) { return rc < 0 ? errno : 0; }
        int main(void)
        {
            struct io_uring_params p;
            memset(&p, 0, sizeof p);
            int setup = err(syscall(SYS_io_uring_setup, 4, &p));
            int enter = err(syscall(SYS_io_uring_enter, 1000, 0, 0, 0, NULL, 0));
            int reg = err(syscall(SYS_io_uring_register, 1000, 0, NULL, 0));
            printf("setup=%d enter=%d register=%d\n", setup, enter, reg);
            return 0;
        }
        """;

    // Docker 25 blocks io_uring in its default profile (moby#46762): its operations run past seccomp. EPERM, the
    // profile's default errno; unconfined, the same program gets a ring and EBADF for the bad fd.
    [Fact]
    public async Task Run_DefaultSeccomp_BlocksIoUringWithEperm()
    {
        var bin = Path.Combine(_h.HostDir, "probe");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "uring.c"), IoUringProbe);
        using (var gcc = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("gcc", ["-static", "-O2", "-o", Path.Combine(bin, "uring"), Path.Combine(bin, "uring.c")]) { RedirectStandardError = true })!)
        {
            var errors = await gcc.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await gcc.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(gcc.ExitCode == 0, errors);
        }
        IsleSpec Probe(string seccomp) => Secured(new IsleSecurity { Seccomp = seccomp }, "/probe/uring") with
        {
            Volumes = [new VolumeMount { HostPath = bin, MountPath = "/probe", ReadOnly = true }],
        };

        Assert.Equal("setup=1 enter=1 register=1", await _h.OutputAsync(Probe("default"))); // EPERM
        Assert.Equal("setup=0 enter=9 register=9", await _h.OutputAsync(Probe("unconfined"))); // a ring; EBADF: no fd 1000
    }
}
