using System.Diagnostics;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// A manifests directory that is a symbolic link swapped to a new tree (git-sync's way) is applied at once, as one
/// revision: what did not change keeps running untouched, and a link to nothing prunes nothing.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonManifestSwapTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonManifestSwapTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    string Revision(string name, params (string File, string Yaml)[] files)
    {
        var dir = Path.Combine(_h.Dir, name);
        Directory.CreateDirectory(dir);
        foreach (var (file, yaml) in files) File.WriteAllText(Path.Combine(dir, file), yaml);
        return dir;
    }

    /// <summary><c>ln -s TARGET tmp &amp;&amp; mv -T tmp manifests</c>: the root replaced by one rename.</summary>
    void Swap(string target)
    {
        var tmp = Path.Combine(_h.Dir, "manifests.tmp");
        File.CreateSymbolicLink(tmp, target);
        using var mv = Process.Start("mv", ["-T", tmp, _h.ManifestsDir])!;
        mv.WaitForExit();
        Assert.Equal(0, mv.ExitCode);
    }

    [Fact]
    public async Task LinkSwappedToANewTree_AppliedAtOnce_UnchangedIslesUntouched_LinkToNothingPrunesNothing()
    {
        string a = _h.NewName("swap"), b = _h.NewName("swap"), c = _h.NewName("swap"), d = _h.NewName("swap");
        Directory.Delete(_h.ManifestsDir);
        Swap(Revision("rev1", ("a.yaml", _h.IsleYaml(a, "exec sleep 1000")), ("b.yaml", _h.IsleYaml(b, "exec sleep 1000")),
            ("c.yaml", _h.IsleYaml(c, "exec sleep 1000"))));
        // No resync within the test: only the watch can see the swap.
        await _h.StartDaemonAsync("--resync", "3600");
        var pids = new Dictionary<string, int>();
        foreach (var name in (string[])[a, b, c]) pids[name] = DaemonHarness.Pid(await _h.WaitRunningAsync(name, 30))!.Value;

        // The link to a tree that is gone (a sync tool mid-way, a typo): nothing is pruned.
        Swap(Path.Combine(_h.Dir, "nowhere"));
        await _h.WaitIsleAsync(a, i => (string?)i["status"]?["reason"] == "ManifestsUnavailable", TimeSpan.FromSeconds(30), "ManifestsUnavailable");
        foreach (var name in (string[])[a, b, c]) Assert.Equal(pids[name], DaemonHarness.Pid((await _h.GetIsleAsync(name))!));

        // The next revision: a as it was, b changed, c gone, d new.
        Swap(Revision("rev2", ("a.yaml", _h.IsleYaml(a, "exec sleep 1000")), ("b.yaml", _h.IsleYaml(b, "exec sleep 1001")),
            ("d.yaml", _h.IsleYaml(d, "exec sleep 1000"))));
        await _h.WaitRunningAsync(d, 30);
        await _h.WaitIsleAsync(b, i => DaemonHarness.Pid(i) is { } pid && pid != pids[b], TimeSpan.FromSeconds(30), "restarted with its new command");
        var sw = Stopwatch.StartNew();
        while (await _h.GetIsleAsync(c) is not null)
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"{c} was not pruned within 30 s:\n{_h.DaemonOutput}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        var unchanged = (await _h.GetIsleAsync(a))!;
        Assert.Equal(pids[a], DaemonHarness.Pid(unchanged));
        Assert.Equal(1, DaemonHarness.Generation(unchanged));
        Assert.Equal(0, DaemonHarness.RestartCount(unchanged));
        Assert.NotEqual("ManifestsUnavailable", (string?)unchanged["status"]?["reason"]);
        Assert.True(DaemonHarness.ProcessExists(pids[a]));
        Assert.False(DaemonHarness.ProcessExists(pids[c]));
    }
}
