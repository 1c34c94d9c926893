using System.Diagnostics;
using System.Formats.Tar;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// <c>islanderctl cp</c> both ways against a real daemon and isle, and the attacks it must stop: a symlink in the isle
/// pointing at '/' or climbing with '..', a link to a host path, a tar with '../' names or a link and a write through it,
/// and a link swapped back and forth while copies run (CVE-2018-15664). Each asserts the host's files are neither read
/// nor written.
/// </summary>
[Collection(IslanderctlCollection.Name)]
public sealed class IslanderctlCpTests : IAsyncDisposable
{
    readonly DaemonHarness _h;
    readonly string _host;

    public IslanderctlCpTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
        // What an escape would reach: a host directory with a secret, at a path the isle does not have.
        _host = Directory.CreateTempSubdirectory("islander-cp-host-").FullName;
        File.WriteAllText(Path.Combine(_host, "secret"), "HOST SECRET\n");
    }

    public async ValueTask DisposeAsync()
    {
        await _h.DisposeAsync();
        Directory.Delete(_host, recursive: true);
    }

    async Task<(string Name, int Pid)> RunIsleAsync(string script)
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("cp");
        _h.WriteManifest(name + ".yaml", _h.IsleYaml(name, script));
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name, 20))!.Value;
        return (name, pid);
    }

    static string InIsle(int pid, string path) => $"/proc/{pid}/root{path}";

    string[] HostEntries() => [.. Directory.EnumerateFileSystemEntries(_host).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public async Task Cp_DirectoryIntoAndBackOut_SameTreeOwnedByTheIslesRoot()
    {
        var (name, pid) = await RunIsleAsync("mkdir -p /data; sleep 3600");
        var local = Path.Combine(_h.Dir, "tree");
        Directory.CreateDirectory(Path.Combine(local, "sub"));
        File.WriteAllText(Path.Combine(local, "a.txt"), "alpha\n");
        File.WriteAllText(Path.Combine(local, "sub", "b.txt"), "beta\n");
        File.CreateSymbolicLink(Path.Combine(local, "link"), "a.txt");
        File.SetUnixFileMode(Path.Combine(local, "a.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Chown(Path.Combine(local, "a.txt"), 1234);

        var into = await _h.CtlAsync("cp", local, $"{name}:/data");

        Assert.True(into.ExitCode == 0, into.ToString());
        Assert.Equal("alpha\n", File.ReadAllText(InIsle(pid, "/data/tree/a.txt")));
        Assert.Equal("beta\n", File.ReadAllText(InIsle(pid, "/data/tree/sub/b.txt")));
        Assert.Equal("a.txt", new FileInfo(InIsle(pid, "/data/tree/link")).LinkTarget);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(InIsle(pid, "/data/tree/a.txt")));
        Assert.Equal(0, Owner(InIsle(pid, "/data/tree/a.txt"))); // Docker's rule: the isle's root, unless -a

        var keep = await _h.CtlAsync("cp", "-a", Path.Combine(local, "a.txt"), $"{name}:/data/kept.txt");
        Assert.True(keep.ExitCode == 0, keep.ToString());
        Assert.Equal(1234, Owner(InIsle(pid, "/data/kept.txt")));

        var back = Path.Combine(_h.Dir, "back");
        var outOf = await _h.CtlAsync("cp", $"{name}:/data/tree", back);

        Assert.True(outOf.ExitCode == 0, outOf.ToString());
        Assert.Equal("alpha\n", File.ReadAllText(Path.Combine(back, "a.txt")));
        Assert.Equal("beta\n", File.ReadAllText(Path.Combine(back, "sub", "b.txt")));
        Assert.Equal("a.txt", new FileInfo(Path.Combine(back, "link")).LinkTarget);

        var stdout = await RunCtlBytesAsync(["cp", $"{name}:/data/tree/a.txt", "-"]);
        using var reader = new TarReader(new MemoryStream(stdout));
        var entry = reader.GetNextEntry()!;
        Assert.Equal("a.txt", entry.Name);
        Assert.Equal("alpha\n", new StreamReader(entry.DataStream!).ReadToEnd());
    }

    [Fact]
    public async Task Cp_BadInput_DockersMessagesNothingChanges()
    {
        var (name, _) = await RunIsleAsync("sleep 3600");
        var file = Path.Combine(_h.Dir, "f.txt");
        File.WriteAllText(file, "x");

        var missingDest = await _h.CtlAsync("cp", file, $"{name}:/nope/deeper/f.txt");
        var missingSource = await _h.CtlAsync("cp", $"{name}:/nope", Path.Combine(_h.Dir, "out"));
        var missingIsle = await _h.CtlAsync("cp", file, "ghost:/tmp");

        Assert.NotEqual(0, missingDest.ExitCode);
        Assert.Contains($"Could not find the file /nope/deeper in isle {name}", missingDest.Stderr);
        Assert.NotEqual(0, missingSource.ExitCode);
        Assert.Contains($"Could not find the file /nope in isle {name}", missingSource.Stderr);
        Assert.False(File.Exists(Path.Combine(_h.Dir, "out")));
        Assert.NotEqual(0, missingIsle.ExitCode);
        Assert.Contains("ghost", missingIsle.Stderr);
    }

    [Fact]
    public async Task Cp_StoppedIsle_ConflictSaysItMustRun()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("cp");
        _h.WriteManifest(name + ".yaml", _h.IsleYaml(name, "exit 0", restartPolicy: "Never"));
        await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) == "Succeeded", TimeSpan.FromSeconds(20), "Succeeded");

        var r = await _h.CtlAsync("cp", $"{name}:/etc/hostname", Path.Combine(_h.Dir, "out"));

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("cp needs a running isle", r.Stderr);
    }

    [Fact]
    public async Task Cp_FromLinksToRootAndUpwards_ReadsOnlyTheIsle()
    {
        // /x -> /, /up -> ../../../../.., /leak -> the host's secret: each resolved (or copied) inside the isle only.
        var (name, pid) = await RunIsleAsync($"ln -s / /x; ln -s ../../../../.. /up; ln -s {_host}/secret /leak; sleep 3600");
        var out1 = Path.Combine(_h.Dir, "o1");
        var out2 = Path.Combine(_h.Dir, "o2");
        var out3 = Path.Combine(_h.Dir, "o3");

        var viaRoot = await _h.CtlAsync("cp", $"{name}:/x{_host}/secret", out1);
        var viaUp = await _h.CtlAsync("cp", $"{name}:/up{_host}/secret", out2);
        var link = await _h.CtlAsync("cp", $"{name}:/leak", out3);
        var shadow = await RunCtlBytesAsync(["cp", $"{name}:/x/etc/shadow", "-"], allowFailure: true);

        Assert.Contains($"Could not find the file /x{_host}/secret in isle {name}", viaRoot.Stderr);
        Assert.Contains($"Could not find the file /up{_host}/secret in isle {name}", viaUp.Stderr);
        Assert.False(File.Exists(out1) || File.Exists(out2));
        Assert.True(link.ExitCode == 0, link.ToString());
        Assert.Equal($"{_host}/secret", new FileInfo(out3).LinkTarget); // the link, not what it names on the host
        // The isle has no /etc/shadow (busybox): the host's must not come out in its place.
        Assert.False(File.Exists(InIsle(pid, "/etc/shadow")));
        Assert.Empty(shadow);
    }

    [Fact]
    public async Task Cp_IntoThroughLinksAndEvilTars_HostUntouched()
    {
        // /dest -> the host directory's path (absolute): inside the isle it names nothing, and cp writes into the isle.
        var (name, pid) = await RunIsleAsync($"ln -s {_host} /dest; mkdir -p /tmp/in; sleep 3600");
        var file = Path.Combine(_h.Dir, "evil");
        File.WriteAllText(file, "EVIL\n");

        var throughLink = await _h.CtlAsync("cp", file, $"{name}:/dest/evil");
        var climbing = await PutTarAsync(name, "/tmp/in", [("../../../../../../.." + _host + "/evil", TarEntryType.RegularFile, null)]);
        var absolute = await PutTarAsync(name, "/tmp/in", [(_host + "/evil", TarEntryType.RegularFile, null)]);
        var linkThenWrite = await PutTarAsync(name, "/tmp/in", [("l", TarEntryType.SymbolicLink, _host), ("l/evil", TarEntryType.RegularFile, null)]);

        Assert.NotEqual(0, throughLink.ExitCode);
        Assert.Equal(["secret"], HostEntries());
        Assert.Contains("climbs out of the destination with '..': refused", climbing.Stderr);
        Assert.Contains("has an absolute name", absolute.Stderr);
        Assert.Contains("which is a symbolic link or not a directory; cp never writes through a link", linkThenWrite.Stderr);
        Assert.Equal(["secret"], HostEntries());
        Assert.Equal("HOST SECRET\n", File.ReadAllText(Path.Combine(_host, "secret")));
        Assert.True(new FileInfo(InIsle(pid, "/tmp/in/l")).LinkTarget == _host); // the link was made, inside the isle only
    }

    [Fact]
    public async Task Cp_LinkSwappedWhileCopying_NeverLeavesTheIsle()
    {
        // The isle swaps /race/d between a directory and a link to the host directory's path, as fast as it can.
        var (name, pid) = await RunIsleAsync(
            $"mkdir -p /race/real; echo isle > /race/real/file; while true; do ln -sfn {_host} /race/d.new; mv -T /race/d.new /race/d; " +
            "ln -sfn /race/real /race/d.new; mv -T /race/d.new /race/d; rm -rf /race/dir; mkdir /race/dir; mv -T /race/dir /race/d 2>/dev/null; done");
        var local = Path.Combine(_h.Dir, "payload");
        Directory.CreateDirectory(local);
        File.WriteAllText(Path.Combine(local, "evil"), "EVIL\n");
        var outputs = new List<byte[]>();

        for (int i = 0; i < 25; i++)
        {
            await _h.CtlAsync("cp", local, $"{name}:/race/d");
            await _h.CtlAsync("cp", Path.Combine(local, "evil"), $"{name}:/race/d/evil");
            outputs.Add(await RunCtlBytesAsync(["cp", $"{name}:/race/d/secret", "-"], allowFailure: true));
            outputs.Add(await RunCtlBytesAsync(["cp", $"{name}:/race", "-"], allowFailure: true));
        }

        Assert.Equal(["secret"], HostEntries());
        Assert.All(outputs, o => Assert.True(o.AsSpan().IndexOf("HOST SECRET"u8) < 0, "the host's secret was read"));
        Assert.True(DaemonHarness.ProcessExists(pid));
    }

    async Task<DaemonHarness.CtlResult> PutTarAsync(string isle, string dest, (string Name, TarEntryType Type, string? Link)[] entries)
    {
        var tar = Path.Combine(_h.Dir, $"evil-{Guid.NewGuid():N}.tar");
        await using (var stream = File.Create(tar))
        await using (var writer = new TarWriter(stream, TarEntryFormat.Pax))
        {
            foreach (var (n, type, link) in entries)
            {
                var e = new PaxTarEntry(type, n) { Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
                if (link is not null) e.LinkName = link;
                if (type == TarEntryType.RegularFile) e.DataStream = new MemoryStream("EVIL\n"u8.ToArray());
                await writer.WriteEntryAsync(e);
            }
        }
        return await RunCtlWithStdinAsync(["cp", "-", $"{isle}:{dest}"], tar);
    }

    async Task<DaemonHarness.CtlResult> RunCtlWithStdinAsync(string[] args, string stdinFile)
    {
        var info = new ProcessStartInfo(DaemonHarness.Islanderctl) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in (string[])["--socket", _h.Socket, .. args]) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await using (var input = File.OpenRead(stdinFile))
            await input.CopyToAsync(p.StandardInput.BaseStream);
        p.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await p.WaitForExitAsync(timeout.Token);
        return new DaemonHarness.CtlResult(p.ExitCode, await stdout, await stderr);
    }

    async Task<byte[]> RunCtlBytesAsync(string[] args, bool allowFailure = false)
    {
        var info = new ProcessStartInfo(DaemonHarness.Islanderctl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["--socket", _h.Socket, .. args]) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        using var buffer = new MemoryStream();
        var copy = p.StandardOutput.BaseStream.CopyToAsync(buffer);
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await p.WaitForExitAsync(timeout.Token);
        await copy;
        Assert.True(allowFailure || p.ExitCode == 0, await stderr);
        return buffer.ToArray();
    }

    static void Chown(string path, int uid)
    {
        using var p = Process.Start("chown", [uid.ToString(System.Globalization.CultureInfo.InvariantCulture), path])!;
        p.WaitForExit();
    }

    static int Owner(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("stat", ["-c", "%u", path]) { RedirectStandardOutput = true })!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return int.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
