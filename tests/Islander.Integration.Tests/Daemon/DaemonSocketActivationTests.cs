using System.Diagnostics;
using System.Globalization;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// islanderd socket-activated for real: <c>systemd-socket-activate</c> (Debian's systemd package) makes and listens
/// on the socket, then execs islanderd with <c>LISTEN_FDS=1</c> and <c>LISTEN_PID</c>, as systemd does for
/// islanderd.socket. The test gives the socket the owner and mode a unit's <c>SocketGroup=</c>/<c>SocketMode=</c>
/// would; islanderd must answer on it, leave those alone, not make its own socket, and keep the fd from the processes
/// it spawns.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonSocketActivationTests : IAsyncDisposable
{
    const int UnitGroup = 4242; // SocketGroup= (a gid no one else here uses; chown needs no group entry)

    readonly DaemonHarness _h;
    readonly string _activated;
    readonly string _output;

    public DaemonSocketActivationTests()
    {
        HostCaps.RequireRoot();
        Assert.True(File.Exists("/usr/bin/systemd-socket-activate"), "systemd-socket-activate is missing: scripts/setup.sh installs Debian's systemd package");
        _h = new DaemonHarness();
        _activated = Path.Combine(_h.Dir, "activated.sock");
        _output = Path.Combine(_h.Dir, "islanderd.out");
        File.WriteAllText(_output, "");
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    static string Stat(string path) => RunOut("stat", "-c", "%a:%u:%g:%i", path);

    static string RunOut(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return output;
    }

    [Fact]
    public async Task ActivatedSocket_IslanderctlAnswered_UnitsOwnerAndModeKept_NoSocketOfItsOwn_FdNotInherited()
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        // --socket names another path: with a socket passed, islanderd must not make (or remove) one of its own.
        foreach (var a in (string[])["-c", "exec systemd-socket-activate -l \"$SOCK\" \"$0\" \"$@\" >>\"$OUT\" 2>&1", DaemonHarness.Islanderd,
                     "--config", "/dev/null", "--manifests", _h.ManifestsDir, "--state", _h.StateDir, "--run", _h.RunDir, "--socket", _h.Socket])
            info.ArgumentList.Add(a);
        info.Environment["SOCK"] = _activated;
        info.Environment["OUT"] = _output;
        info.Environment.Remove("NOTIFY_SOCKET");
        using var p = Process.Start(info)!;
        try
        {
            var sw = Stopwatch.StartNew();
            while (!File.Exists(_activated))
            {
                Assert.False(p.HasExited, $"systemd-socket-activate exited {(p.HasExited ? p.ExitCode : 0)}:\n{File.ReadAllText(_output)}");
                Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), "systemd-socket-activate made no socket within 10 s");
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }
            // What SocketMode=0660 and SocketGroup= make systemd do before anyone connects.
            Assert.Equal("", RunOut("chown", $"0:{UnitGroup.ToString(CultureInfo.InvariantCulture)}", _activated));
            File.SetUnixFileMode(_activated, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            var before = Stat(_activated);

            // The first connection starts islanderd (the activator execs it: same pid); islanderctl waits in the backlog.
            var version = await DaemonHarness.RunCtlAsync("--socket", _activated, "version");

            var output = File.ReadAllText(_output);
            Assert.True(version.ExitCode == 0, $"{version}\n--- islanderd:\n{output}");
            Assert.Contains("Daemon: 0.9.0+", version.Stdout, StringComparison.Ordinal);
            Assert.Contains($"islanderd listening on {_activated} (from systemd)", output, StringComparison.Ordinal);
            Assert.Equal(before, Stat(_activated));
            Assert.StartsWith($"660:0:{UnitGroup}:", before, StringComparison.Ordinal);
            Assert.False(File.Exists(_h.Socket), "islanderd made its own socket as well");
            Assert.Equal("islanderd", File.ReadAllText($"/proc/{p.Id}/comm").Trim());
            // O_CLOEXEC (02000000 in fdinfo's octal flags): isles' shims, spawned by islanderd, do not inherit the API socket.
            var flags = File.ReadAllLines($"/proc/{p.Id}/fdinfo/3").Single(l => l.StartsWith("flags:", StringComparison.Ordinal))["flags:".Length..].Trim();
            Assert.True((Convert.ToInt64(flags, 8) & 0x80000) != 0, $"fd 3 flags {flags}: not close-on-exec");

            Assert.Equal(0, Tmds.Linux.LibC.kill(p.Id, Tmds.Linux.LibC.SIGTERM));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await p.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, p.ExitCode);
            // The socket is the unit's: it stays for the next start.
            Assert.Equal(before, Stat(_activated));
        }
        finally
        {
            if (!p.HasExited)
            {
                p.Kill();
                await p.WaitForExitAsync(TestContext.Current.CancellationToken);
            }
        }
    }
}
