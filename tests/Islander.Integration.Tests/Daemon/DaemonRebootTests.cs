using System.Diagnostics;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// A reboot, simulated: islanderd, every shim and every isle killed at once, the isles' cgroups and mounts gone, then
/// the run directory wiped (a tmpfs /run). islanderd starts every desired isle exactly once, each Running with a new
/// pid that lives, and a volume keeps its bytes. <see cref="DaemonStateLossTests"/> wipes the run directory
/// with the isles alive; <see cref="DaemonStaleStatusTests"/> checks what the API says before the first pass.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonRebootTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonRebootTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task Reboot_EveryDesiredIsleStartsOnce_VolumeKeepsItsBytes()
    {
        await _h.StartDaemonAsync();
        var writer = _h.NewName("boot");
        var other = _h.NewName("boot");
        _h.WriteManifest("v.yaml", "apiVersion: islander.io/v1\nkind: Volume\nmetadata: {name: bootdata}\nspec: {}\n");
        _h.WriteManifest("a.yaml", _h.IsleYaml(writer, "echo booted >> /data/boots; exec sleep 1000",
            extraSpec: "  volumes: [{name: bootdata, mountPath: /data}]\n"));
        _h.WriteManifest("b.yaml", _h.IsleYaml(other, "exec sleep 1000"));
        var before = new Dictionary<string, int>();
        foreach (var n in new[] { writer, other }) before[n] = DaemonHarness.Pid(await _h.WaitRunningAsync(n, 15))!.Value;
        var boots = await _h.CtlAsync("exec", writer, "--", "cat", "/data/boots");
        Assert.Equal("booted\n", boots.Stdout);

        // The power goes: the daemon first (it must not see the isles end), then every shim and isle, their cgroups,
        // their mounts; then /run is a fresh tmpfs.
        await _h.StopDaemonAsync(kill: true);
        foreach (var n in before.Keys) KillIsle(n);
        foreach (var mount in File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.StartsWith(_h.Dir + "/", StringComparison.Ordinal)).Reverse())
            Run("umount", "-l", mount);
        Run("rm", "-rf", "--one-file-system", _h.RunDir);

        await _h.StartDaemonAsync();
        foreach (var (n, old) in before)
        {
            var isle = await _h.WaitIsleAsync(n, i => DaemonHarness.Phase(i) == "Running" && DaemonHarness.Pid(i) is int p && p != old,
                TimeSpan.FromSeconds(15), "Running with a new pid");
            Assert.True(DaemonHarness.ProcessExists(DaemonHarness.Pid(isle)!.Value));
        }
        await Task.Delay(1500, TestContext.Current.CancellationToken); // a second start would show by now
        foreach (var (n, old) in before)
        {
            var isle = (await _h.GetIsleAsync(n))!;
            Assert.Equal("Running", DaemonHarness.Phase(isle));
            Assert.NotEqual(old, DaemonHarness.Pid(isle));
            Assert.Single(CgroupProcs(n));
        }
        boots = await _h.CtlAsync("exec", writer, "--", "cat", "/data/boots");
        Assert.Equal("booted\nbooted\n", boots.Stdout); // the bytes of before, and the one start since
        var events = await _h.EventsAsync();
        foreach (var n in before.Keys)
            Assert.Equal(2, events.Count(e => (string?)e["name"] == n && (string?)e["reason"] == "Started"));
    }

    /// <summary>SIGKILLs the isle's shim (the parent of its init) and every process of its cgroup, then removes the cgroup.</summary>
    internal static void KillIsle(string isle)
    {
        var procs = CgroupProcs(isle);
        foreach (var shim in procs.Select(ParentOf).Where(p => Comm(p) == "islander:shim").Distinct())
            _ = Tmds.Linux.LibC.kill(shim, Tmds.Linux.LibC.SIGKILL);
        var sw = Stopwatch.StartNew();
        while (CgroupProcs(isle).Count > 0 && sw.Elapsed < TimeSpan.FromSeconds(10))
        {
            foreach (var p in CgroupProcs(isle)) _ = Tmds.Linux.LibC.kill(p, Tmds.Linux.LibC.SIGKILL);
            Thread.Sleep(50);
        }
        foreach (var dir in DaemonHarness.CgroupDirs(Path.Combine("islander", isle)))
            for (int i = 0; i < 50 && Directory.Exists(dir); i++)
            {
                try { Directory.Delete(dir); }
                catch (IOException) { Thread.Sleep(100); } // the last process is still being reaped
            }
    }

    internal static List<int> CgroupProcs(string isle) =>
        DaemonHarness.CgroupDirs(Path.Combine("islander", isle)).Select(d => Path.Combine(d, "cgroup.procs")).SelectMany(ReadLines)
            .Where(l => l.Length > 0).Select(int.Parse).Distinct().Order().ToList();

    static string[] ReadLines(string file)
    {
        try { return File.ReadAllLines(file); }
        catch (IOException) { return []; }
    }

    static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException) { return 0; }
    }

    static string Comm(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n'); }
        catch (IOException) { return ""; }
    }

    internal static void Run(string file, params string[] args)
    {
        using var p = Process.Start(file, args)!;
        p.WaitForExit();
    }
}
