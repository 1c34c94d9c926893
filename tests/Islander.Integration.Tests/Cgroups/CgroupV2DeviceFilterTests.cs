using System.Globalization;
using Islander.Drivers.Cgroups;
using Islander.Drivers.Interop;
using Islander.Model;
using Islander.Testing;

namespace Islander.Integration.Tests.Cgroups;

/// <summary>
/// The v2 device filter on the real kernel: loaded, attached to a group of the host's cgroup2 hierarchy
/// (<c>/sys/fs/cgroup/unified</c> on a hybrid host, where BPF_CGROUP_DEVICE programs are enforced although the
/// hierarchy holds no controllers) and enforced for a shell moved into that group. Each test makes its own
/// <c>islander-test-…</c> group and removes it, with the device nodes it made.
/// </summary>
[Collection(CgroupCollection.Name)]
public sealed class CgroupV2DeviceFilterTests : IDisposable
{
    const int ENOENT = 2;

    readonly ChildProcesses _processes = new();
    readonly List<string> _groups = [];
    string? _nodes;

    public void Dispose()
    {
        try
        {
            _processes.Dispose();
            foreach (var group in Enumerable.Reverse(_groups))
                RemoveGroup(group);
        }
        finally
        {
            if (_nodes is not null && Directory.Exists(_nodes))
                Directory.Delete(_nodes, recursive: true);
        }
    }

    /// <summary>Skips off root and on a host with no cgroup2 mount at all (legacy: the v1 driver restricts devices there).</summary>
    static string Cgroup2Root
    {
        get
        {
            HostCaps.RequireRoot();
            Assert.SkipUnless(HostCaps.Cgroup2Root is not null, $"needs a cgroup2 hierarchy (unified or hybrid); this host is {HostCaps.Cgroups}");
            return HostCaps.Cgroup2Root!;
        }
    }

    static string NewName() => "islander-test-" + Guid.NewGuid().ToString("N")[..8];

    string NewGroup()
    {
        string group = Path.Combine(Cgroup2Root, NewName());
        Directory.CreateDirectory(group);
        _groups.Add(group);
        return group;
    }

    /// <summary>A directory for device nodes on the host's root filesystem (not nodev, which would refuse with EACCES first).</summary>
    string Nodes() => _nodes ??= Directory.CreateTempSubdirectory("islander-test-nodes-").FullName;

    /// <summary>
    /// The accesses that tell Docker's list apart: /dev/null and /dev/zero, opening the root disk, making a
    /// character node (/dev/kmsg's 1:11) and block nodes (the root disk's, and loop0's 7:0, a block device this
    /// host lets root open: this CI host refuses the root disk to root itself) and opening them. Each step prints
    /// <c>step=ok</c> when it succeeds and the tool's error otherwise.
    /// </summary>
    string DeviceScript()
    {
        var (disk, number) = HostDevices.RootDisk();
        var (major, minor) = (number.Split(':')[0], number.Split(':')[1]);
        HostCaps.Require(File.Exists("/dev/loop0"), "a loop device (/dev/loop0)");
        string nodes = Nodes(), id = NewName();
        string kmsg = Path.Combine(nodes, "kmsg-" + id), diskNode = Path.Combine(nodes, "disk-" + id), loop = Path.Combine(nodes, "loop-" + id);
        return string.Join('\n',
            "echo x > /dev/null && echo null=ok",
            "head -c 1 /dev/zero | od -An -tx1 | grep -q 00 && echo zero=ok",
            $"head -c 0 {disk} 2>&1 && echo disk=ok",
            $"mknod {kmsg} c 1 11 2>&1 && echo mknod-char=ok",
            $"head -c 0 {kmsg} 2>&1 && echo kmsg=ok",
            $"mknod {diskNode} b {major} {minor} 2>&1 && echo mknod-block=ok",
            $"head -c 0 {diskNode} 2>&1 && echo disk-node=ok",
            $"mknod {loop} b 7 0 2>&1 && head -c 0 {loop} 2>&1 && echo loop-node=ok",
            "echo end");
    }

    /// <summary>Whether this process, in no device filter of ours, may open the root disk (a sandboxed host may refuse).</summary>
    static bool HostOpensRootDisk()
    {
        try
        {
            using var handle = File.OpenHandle(HostDevices.RootDisk().Path, FileMode.Open, FileAccess.Read);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Runs <paramref name="script"/> in a shell that <paramref name="join"/> moves into a group before it starts.</summary>
    string RunIn(Action<int> join, string script)
    {
        var sh = _processes.Start("/bin/sh", "-c", "read go\n" + script);
        join(sh.Id);
        sh.StandardInput.WriteLine("go");
        sh.StandardInput.Close();
        Assert.True(sh.WaitForExit(TimeSpan.FromSeconds(20)), "the device script did not finish");
        string output = sh.StandardOutput.ReadToEnd() + sh.StandardError.ReadToEnd();
        Assert.Contains("end", output);
        return output;
    }

    static void Join(string group, int pid)
    {
        File.WriteAllText(Path.Combine(group, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
        Assert.Contains(pid, CgroupText.Pids(File.ReadAllText(Path.Combine(group, "cgroup.procs"))));
    }

    static void AssertDockerPolicy(string output)
    {
        Assert.Contains("null=ok", output);
        Assert.Contains("zero=ok", output);
        Assert.DoesNotContain("disk=ok", output);
        Assert.Contains("mknod-char=ok", output);   // c *:* m
        Assert.DoesNotContain("kmsg=ok", output);  // but c 1:11 may not be opened
        Assert.Contains("mknod-block=ok", output);  // b *:* m
        Assert.DoesNotContain("disk-node=ok", output);
        Assert.DoesNotContain("loop-node=ok", output);
        // Four refused opens, each EPERM: the device cgroup's answer (nodev would be EACCES, a missing node ENOENT).
        Assert.Equal(4, output.Split('\n').Count(l => l.Contains("Operation not permitted", StringComparison.Ordinal)));
    }

    [Fact]
    public void Apply_DockerPolicy_EnforcedForProcessesInTheGroup()
    {
        string group = NewGroup();
        CgroupDeviceFilter.Apply(group, DeviceFilterProgram.For(DevicePolicy.Allowlist));

        AssertDockerPolicy(RunIn(pid => Join(group, pid), DeviceScript()));
    }

    [Fact]
    public void Apply_NoProgram_EverythingOpens()
    {
        // The control for the test above: the same script in a group without the filter opens every node.
        string group = NewGroup();
        CgroupDeviceFilter.Apply(group, null);

        string output = RunIn(pid => Join(group, pid), DeviceScript());

        foreach (var step in (string[])["null=ok", "zero=ok", "mknod-char=ok", "kmsg=ok", "mknod-block=ok", "loop-node=ok"])
            Assert.Contains(step, output);
        if (HostOpensRootDisk())
        {
            Assert.Contains("disk=ok", output);
            Assert.Contains("disk-node=ok", output);
        }
    }

    [Fact]
    public void Apply_Again_ReplacesOurProgramAndLeavesOthers()
    {
        string group = NewGroup();
        uint other = AttachOtherProgram(group);

        CgroupDeviceFilter.Apply(group, DeviceFilterProgram.For(DevicePolicy.Allowlist));
        var first = Attached(group);
        CgroupDeviceFilter.Apply(group, DeviceFilterProgram.For(DevicePolicy.Allowlist));
        Assert.Equal(first, Attached(group)); // same instructions: kept, not reloaded

        CgroupDeviceFilter.Apply(group, DeviceFilterProgram.Compile(
            [new DeviceRule(false, DeviceType.All, null, null, DeviceAccess.All), DeviceRule.Allowed(DeviceType.Char, 1, 3)]));
        var second = Attached(group);
        Assert.Equal(2, second.Count);
        Assert.Contains(other, second);
        Assert.Single(second.Except(first));

        CgroupDeviceFilter.Apply(group, null);
        Assert.Equal([other], Attached(group));
    }

    [Fact]
    public void Apply_AfterRmdir_TheAttachmentGoesWithTheGroup()
    {
        string group = NewGroup();
        CgroupDeviceFilter.Apply(group, DeviceFilterProgram.For(DevicePolicy.Allowlist));
        uint id = Assert.Single(Attached(group));

        RemoveGroup(group);

        // The program fd was closed after attaching, so the attachment held the last reference; the kernel
        // releases a removed cgroup's programs from a work queue, a moment after rmdir.
        Assert.True(Eventually(() => ProgramGone(id)), $"program {id} still loaded after its cgroup was removed");
    }

    [Fact]
    public void Load_ProgramTheVerifierRefuses_ErrorCarriesTheVerifierLog()
    {
        _ = Cgroup2Root;
        // exit without setting r0: the verifier refuses with "R0 !read_ok".
        var e = Assert.Throws<CgroupException>(() => CgroupDeviceFilter.Load([EbpfInstruction.Exit()], "test"));

        Assert.Contains("BPF_PROG_LOAD", e.Message);
        Assert.Contains("R0 !read_ok", e.Message);
    }

    [Fact]
    public async Task V2Driver_DeviceAllowlist_EnforcedEndToEnd()
    {
        string root = Cgroup2Root, parent = NewName();
        _groups.Add(Path.Combine(root, parent));
        var driver = new CgroupV2Driver(root, parent);

        driver.Create("web", new IsleResources(), DevicePolicy.Allowlist, TestContext.Current.CancellationToken);
        try
        {
            AssertDockerPolicy(RunIn(pid => driver.AddProcess("web", pid, TestContext.Current.CancellationToken), DeviceScript()));

            // Privileged: the driver takes its filter off the group again.
            driver.Create("web", new IsleResources(), DevicePolicy.AllowAll, TestContext.Current.CancellationToken);
            string output = RunIn(pid => driver.AddProcess("web", pid, TestContext.Current.CancellationToken), DeviceScript());
            Assert.Contains("kmsg=ok", output);
            Assert.Contains("loop-node=ok", output);
        }
        finally
        {
            await driver.DeleteAsync("web", CancellationToken.None);
        }
        Assert.False(driver.Exists("web", TestContext.Current.CancellationToken));
    }

    /// <summary>An allow-all program under another name, as another owner (systemd, a nested runtime) would attach.</summary>
    static uint AttachOtherProgram(string group)
    {
        byte[] code = EbpfInstruction.Encode([EbpfInstruction.Mov32(0, 1), EbpfInstruction.Exit()]);
        Assert.Equal(0, BpfInterop.LoadProgram(BpfInterop.ProgTypeCgroupDevice, code, "GPL", "other_owner", null, out var loaded));
        using var fd = loaded!;
        Assert.Equal(0, BpfInterop.OpenDirectory(group, out var opened));
        using var dir = opened!;
        Assert.Equal(0, BpfInterop.Attach(dir, fd, BpfInterop.AttachCgroupDevice, BpfInterop.AllowMulti));
        Assert.Equal(0, BpfInterop.ProgramInfo(fd, out _, out _));
        return Assert.Single(Attached(group));
    }

    /// <summary>The ids of the device programs attached to the group itself, asked of the kernel.</summary>
    static List<uint> Attached(string group)
    {
        Assert.Equal(0, BpfInterop.OpenDirectory(group, out var opened));
        using var dir = opened!;
        Assert.Equal(0, BpfInterop.Query(dir, BpfInterop.AttachCgroupDevice, out uint[] ids));
        return [.. ids.Order()];
    }

    static bool ProgramGone(uint id)
    {
        int err = BpfInterop.ProgramById(id, out var fd);
        fd?.Dispose();
        return err == ENOENT;
    }

    /// <summary>Kills what is left in the group (and its children), then rmdirs them, deepest first.</summary>
    static void RemoveGroup(string group)
    {
        if (!Directory.Exists(group))
            return;
        foreach (var child in Directory.EnumerateDirectories(group))
            RemoveGroup(child);
        string kill = Path.Combine(group, "cgroup.kill");
        if (File.Exists(kill))
            File.WriteAllText(kill, "1");
        Assert.True(Eventually(() => CgroupText.Pids(File.ReadAllText(Path.Combine(group, "cgroup.procs"))).Any() == false),
            $"{group} still holds processes");
        Directory.Delete(group);
    }

    static bool Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                return false;
            Thread.Sleep(20);
        }
        return true;
    }
}
