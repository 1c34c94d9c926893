using System.Text.RegularExpressions;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// Config files that travel with the manifests (<c>volumes: [{configFile: app.conf, mountPath: ..., onChange: ...}]</c>) on
/// the real kernel: the isle sees the file read-only; a new content reaches only the isles that mount it, with their
/// signal (same pid) or a restart; a tree that names a file outside itself, a special file or a huge one changes nothing.
/// </summary>
[Collection(IslanderctlCollection.Name)]
public sealed class DaemonConfigFileTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonConfigFileTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    static TimeSpan Wait => TimeSpan.FromSeconds(30);

    /// <summary>Written as a sync tool would: a dotfile renamed into place.</summary>
    void WriteConfig(string file, string content)
    {
        var tmp = Path.Combine(_h.ManifestsDir, "." + file + ".tmp");
        File.WriteAllText(tmp, content);
        File.Move(tmp, Path.Combine(_h.ManifestsDir, file), overwrite: true);
    }

    string ConfigIsle(string name, string script, string onChange = "") =>
        _h.IsleYaml(name, script, extraSpec: $"  volumes: [{{configFile: app.conf, mountPath: /etc/app/app.conf{onChange}}}]\n");

    async Task<string> CatAsync(string isle)
    {
        var cat = await _h.CtlAsync("exec", isle, "--", "cat", "/etc/app/app.conf");
        Assert.True(cat.ExitCode == 0, cat.ToString());
        return cat.Stdout;
    }

    async Task<List<(string Name, string Reason, string Message)>> EventsAsync() =>
        [.. (await _h.EventsAsync()).Select(e => ((string)e["name"]!, (string)e["reason"]!, (string)e["message"]!))];

    [Fact]
    public async Task SignalOnChange_NewContentAndTheSignal_SamePid_NothingElseTouched()
    {
        Directory.CreateDirectory(_h.ManifestsDir);
        var name = _h.NewName("reload");
        var other = _h.NewName("other");
        WriteConfig("app.conf", "v1\n");
        // The trap runs when HUP interrupts the wait, and prints what the file holds then.
        _h.WriteManifest("reload.yaml", ConfigIsle(name, "trap 'echo \"reloaded $(cat /etc/app/app.conf)\"' HUP; echo started; while :; do sleep 1 & wait $!; done",
            ", onChange: {signal: HUP}"));
        _h.WriteManifest("other.yaml", _h.IsleYaml(other, "sleep 3600"));
        await _h.StartDaemonAsync();
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name, 20))!.Value;
        int otherPid = DaemonHarness.Pid(await _h.WaitRunningAsync(other, 20))!.Value;
        await DaemonLifecycleTests.WaitForAsync(() => _h.Log(name).Contains("started", StringComparison.Ordinal), "the trap to be set", seconds: 20);
        Assert.Equal("v1\n", await CatAsync(name));
        var write = await _h.CtlAsync("exec", name, "--", "sh", "-c", "echo changed > /etc/app/app.conf");
        Assert.NotEqual(0, write.ExitCode); // read-only in the isle
        Assert.Contains("Read-only file system", write.Stderr, StringComparison.Ordinal);

        WriteConfig("app.conf", "v2\n");

        await DaemonLifecycleTests.WaitForAsync(() => _h.Log(name).Contains("reloaded v2", StringComparison.Ordinal), "the isle to get HUP with the new content", seconds: 30);
        var isle = await _h.WaitIsleAsync(name, i => (long?)i["status"]?["observedGeneration"] == 2, Wait, "generation 2 observed");
        Assert.Equal(pid, DaemonHarness.Pid(isle));
        Assert.Equal(0, DaemonHarness.RestartCount(isle));
        Assert.Equal("v2\n", await CatAsync(name));
        var events = await EventsAsync();
        Assert.Contains(events, e => e.Name == name && e.Reason == "ConfigFileUpdated" && e.Message.Contains($"in place (pid {pid})", StringComparison.Ordinal)
            && e.Message.Contains("signal SIGHUP sent", StringComparison.Ordinal));
        Assert.DoesNotContain(events, e => e.Reason is "Stopping" or "Restarting" or "Recreating");
        // The isle that mounts nothing: same process, same generation, no event of an update.
        var untouched = (await _h.GetIsleAsync(other))!;
        Assert.Equal((otherPid, 1L), (DaemonHarness.Pid(untouched)!.Value, DaemonHarness.Generation(untouched)));
        Assert.DoesNotContain(events, e => e.Name == other && e.Reason is "ConfigFileUpdated" or "SpecUpdated" or "ResourcesUpdated" or "Stopping" or "Restarting" or "Recreating");
        Assert.Equal(1, Regex.Count(_h.Log(name), "reloaded")); // one change, one signal
    }

    [Fact]
    public async Task RestartOnChange_NewProcessWithTheNewContent()
    {
        Directory.CreateDirectory(_h.ManifestsDir);
        var name = _h.NewName("restart");
        WriteConfig("app.conf", "v1\n");
        _h.WriteManifest("restart.yaml", ConfigIsle(name, "echo \"started $(cat /etc/app/app.conf)\"; sleep 3600"));
        await _h.StartDaemonAsync();
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name, 20))!.Value;

        WriteConfig("app.conf", "v2\n");

        var isle = await _h.WaitIsleAsync(name, i => (long?)i["status"]?["observedGeneration"] == 2 && DaemonHarness.Phase(i) == "Running" && DaemonHarness.Pid(i) is { } p && p != pid,
            Wait, "running generation 2 in a new process");
        await DaemonLifecycleTests.WaitForAsync(() => _h.Log(name).Contains("started v2", StringComparison.Ordinal), "the new process to read v2", seconds: 20);
        Assert.False(DaemonHarness.ProcessExists(pid));
        Assert.Contains(await EventsAsync(), e => e.Name == name && e.Reason == "Restarting");
        Assert.DoesNotContain(await EventsAsync(), e => e.Name == name && e.Reason == "Recreating");
        Assert.Equal("v2\n", await CatAsync(name));
    }

    /// <summary>
    /// What a repository's author could try: each is refused at the manifest's file, line and column, and the isle runs
    /// on with its last good content. Nothing outside the tree is read.
    /// </summary>
    [Fact]
    public async Task HostileTree_EachRefusedWhereItIsNamed_IsleKeepsItsContent()
    {
        Directory.CreateDirectory(_h.ManifestsDir);
        File.WriteAllText(Path.Combine(_h.Dir, "secret"), "outside the tree\n");
        var name = _h.NewName("hostile");
        WriteConfig("app.conf", "good\n");
        _h.WriteManifest("hostile.yaml", ConfigIsle(name, "sleep 3600", ", onChange: {signal: HUP}"));
        await _h.StartDaemonAsync();
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name, 20))!.Value;
        // The volumes line of IsleYaml: line 11, the value of configFile at column 26.
        var at = "hostile.yaml:11:26: spec.volumes[0].configFile: ";

        async Task AssertRefusedAsync(string why)
        {
            var isle = await _h.WaitIsleAsync(name, i => (string?)i["status"]?["reason"] == "InvalidManifest" && ((string?)i["status"]?["message"])?.Contains(why, StringComparison.Ordinal) == true,
                Wait, $"refused: {why}");
            Assert.Contains(at, (string?)isle["status"]?["message"], StringComparison.Ordinal);
            Assert.Equal(pid, DaemonHarness.Pid(isle));
            Assert.Equal("good\n", await CatAsync(name));
        }

        File.Delete(Path.Combine(_h.ManifestsDir, "app.conf"));
        File.CreateSymbolicLink(Path.Combine(_h.ManifestsDir, "app.conf"), "/etc/shadow");
        await AssertRefusedAsync("app.conf leads out of the manifests' tree");

        File.Delete(Path.Combine(_h.ManifestsDir, "app.conf"));
        File.CreateSymbolicLink(Path.Combine(_h.ManifestsDir, "app.conf"), "../secret");
        await AssertRefusedAsync("app.conf leads out of the manifests' tree");

        File.Delete(Path.Combine(_h.ManifestsDir, "app.conf"));
        Assert.Equal(0, Mkfifo(Path.Combine(_h.ManifestsDir, "app.conf"), 0b110_100_100));
        await AssertRefusedAsync("app.conf is a FIFO, not a regular file");

        File.Delete(Path.Combine(_h.ManifestsDir, "app.conf"));
        using (var big = File.Create(Path.Combine(_h.ManifestsDir, "app.conf")))
            big.SetLength(8L << 30); // sparse
        await AssertRefusedAsync("app.conf is 8GiB or more; a config file may be at most 1MiB");

        _h.WriteManifest("hostile.yaml", ConfigIsle(name, "sleep 3600", ", onChange: {signal: HUP}").Replace("configFile: app.conf", "configFile: ../secret", StringComparison.Ordinal));
        await AssertRefusedAsync("../secret leads out of the manifests' tree");

        var get = await _h.CtlAsync("get", "isles", name, "-o", "json");
        Assert.DoesNotContain(Convert.ToBase64String("outside the tree\n"u8.ToArray()), get.Stdout, StringComparison.Ordinal);
        Assert.True(DaemonHarness.ProcessExists(pid));
    }

    /// <summary>
    /// An image whose file at the mount path is a FIFO (its author controls the mount point): the config file is mounted
    /// over it. isle-init once opened the target for writing to make sure a file was there, and waited for a reader.
    /// </summary>
    [Fact]
    public async Task ImageHasAFifoAtTheMountPath_MountedOverIt_TheStartDoesNotHang()
    {
        var rootfs = Path.Combine(_h.Dir, "fifo-rootfs");
        using (var cp = System.Diagnostics.Process.Start("cp", ["-a", _h.Rootfs, rootfs]))
        {
            await cp.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.Equal(0, cp.ExitCode);
        }
        Directory.CreateDirectory(Path.Combine(rootfs, "etc", "app"));
        Assert.Equal(0, Mkfifo(Path.Combine(rootfs, "etc", "app", "app.conf"), 0b110_100_100));
        Directory.CreateDirectory(_h.ManifestsDir);
        var name = _h.NewName("fifo");
        WriteConfig("app.conf", "over the fifo\n");
        _h.WriteManifest("fifo.yaml", ConfigIsle(name, "sleep 3600").Replace($"rootfs: {_h.Rootfs}", $"rootfs: {rootfs}", StringComparison.Ordinal));
        await _h.StartDaemonAsync();

        await _h.WaitRunningAsync(name, 30);

        Assert.Equal("over the fifo\n", await CatAsync(name));
    }

    /// <summary>
    /// <c>apply -f</c>: islanderctl reads the file beside the manifest and sends it; a new content applied again is
    /// signalled in place as from the directory. A body that names a config file without its content is refused.
    /// </summary>
    [Fact]
    public async Task ApplyFile_ContentSentByTheCli_AndAgainInPlace_ABodyWithoutItRefused()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("applied");
        var dir = Directory.CreateDirectory(Path.Combine(_h.Dir, "repo", "web")).FullName;
        var manifest = Path.Combine(dir, "web.yaml");
        File.WriteAllText(Path.Combine(dir, "app.conf"), "from the cli\n");
        File.WriteAllText(manifest, ConfigIsle(name, "trap 'echo \"reloaded $(cat /etc/app/app.conf)\"' USR1; while :; do sleep 1 & wait $!; done", ", onChange: {signal: USR1}"));

        var apply = await _h.CtlAsync("apply", "-f", manifest);

        Assert.True(apply.ExitCode == 0, apply.ToString());
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name, 20))!.Value;
        Assert.Equal("from the cli\n", await CatAsync(name));

        File.WriteAllText(Path.Combine(dir, "app.conf"), "second\n");
        var diff = await _h.CtlAsync("diff", "-f", manifest);
        Assert.Contains("~ spec.volumes.configData: /etc/app/app.conf sha256:", diff.Stdout, StringComparison.Ordinal);
        Assert.Contains("(live)", diff.Stdout, StringComparison.Ordinal);
        apply = await _h.CtlAsync("apply", "-f", manifest);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        await DaemonLifecycleTests.WaitForAsync(() => _h.Log(name).Contains("reloaded second", StringComparison.Ordinal), "USR1 with the new content", seconds: 30);
        Assert.Equal(pid, DaemonHarness.Pid((await _h.GetIsleAsync(name))!));

        using var body = new StringContent(ConfigIsle(_h.NewName("bare"), "sleep 3600"), System.Text.Encoding.UTF8, "application/yaml");
        using var response = await _h.Http.PostAsync($"{DaemonHarness.Api}/apply?source=bare.yaml", body, TestContext.Current.CancellationToken);
        var answer = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(422, (int)response.StatusCode);
        Assert.Contains("bare.yaml:11:26: spec.volumes[0].configFile: the content of app.conf was not sent", answer, StringComparison.Ordinal);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo")]
    static extern int Mkfifo(string path, uint mode);
}
