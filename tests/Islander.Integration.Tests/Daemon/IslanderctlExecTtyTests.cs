using System.Diagnostics;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// <c>islanderctl exec -i</c> and <c>exec -it</c> through a real islanderd into real isles; the terminal is a real one,
/// a tmux session the tests type into and read the screen of.
/// </summary>
[Collection(IslanderctlCollection.Name)]
public sealed class IslanderctlExecTtyTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public IslanderctlExecTtyTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    async Task<string> RunningIsleAsync()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("tty");
        _h.WriteManifest("tty.yaml", _h.IsleYaml(name, "sleep 300"));
        await _h.WaitRunningAsync(name, 30);
        return name;
    }

    TmuxSession Terminal(params string[] args) => TmuxSession.Start([DaemonHarness.Islanderctl, "--socket", _h.Socket, .. args]);

    [Fact]
    public async Task ExecI_PipedStdin_CatPrintsItAndEndsAtEof()
    {
        var name = await RunningIsleAsync();

        var info = new ProcessStartInfo(DaemonHarness.Islanderctl) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["--socket", _h.Socket, "exec", "-i", name, "--", "cat"]) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        try
        {
            await p.StandardInput.WriteAsync("hi\n");
            p.StandardInput.Close(); // EOF: cat's stdin closes, cat ends
            var stdout = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await p.WaitForExitAsync(timeout.Token);

            Assert.True(p.ExitCode == 0, await stderr);
            Assert.Equal("hi\n", await stdout);
        }
        finally
        {
            if (!p.HasExited) p.Kill();
        }
    }

    // More stdin than any pipe holds: the daemon's writes wait for the process (EAGAIN, poll), none is lost.
    [Fact]
    public async Task ExecI_EightMiBOfStdin_ArriveWhole()
    {
        var name = await RunningIsleAsync();
        var data = new byte[8 << 20];
        new Random(11).NextBytes(data);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));

        var info = new ProcessStartInfo(DaemonHarness.Islanderctl) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["--socket", _h.Socket, "exec", "-i", name, "--", "sha256sum"]) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        try
        {
            var stdout = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await p.StandardInput.BaseStream.WriteAsync(data, TestContext.Current.CancellationToken);
            p.StandardInput.Close();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            await p.WaitForExitAsync(timeout.Token);

            Assert.True(p.ExitCode == 0, await stderr);
            Assert.StartsWith(expected, await stdout);
        }
        finally
        {
            if (!p.HasExited) p.Kill();
        }
    }

    [Fact]
    public async Task ExecI_ExitCodeAndStderrApart()
    {
        var name = await RunningIsleAsync();

        var r = await _h.CtlAsync("exec", "-i", name, "--", "sh", "-c", "echo out; echo err >&2; exit 5");

        Assert.True(r.ExitCode == 5, r.ToString());
        Assert.Equal("out\n", r.Stdout);
        Assert.Equal("err\n", r.Stderr);
    }

    [Fact]
    public async Task ExecIt_Shell_EchoesArithmeticAndFollowsTheWindowSize()
    {
        var name = await RunningIsleAsync();
        using var t = Terminal("exec", "-it", name, "--", "sh");

        await t.WaitForAsync("/ #");
        t.Type("echo $((6*7))");
        t.Press("Enter");
        await t.WaitForScreenAsync(s => s.Split('\n').Any(l => l.Trim() == "42"), "42 on a line of its own");

        t.Type("stty size");
        t.Press("Enter");
        await t.WaitForScreenAsync(s => s.Split('\n').Any(l => l.Trim() == "24 80"), "24 80");

        t.Resize(100, 30);
        await Task.Delay(300, TestContext.Current.CancellationToken); // SIGWINCH → resize frame → TIOCSWINSZ; then ask again until seen
        await t.WaitForScreenAsync(s =>
        {
            if (s.Split('\n').Any(l => l.Trim() == "30 100")) return true;
            t.Type("stty size");
            t.Press("Enter");
            return false;
        }, "30 100 after the resize");

        t.Type("exit");
        t.Press("Enter");
        Assert.Equal(0, await t.ExitCodeAsync());
    }

    [Fact]
    public async Task ExecIt_CtrlCInterruptsSleepShellRemains_ExitCodeIsTheShells()
    {
        var name = await RunningIsleAsync();
        using var t = Terminal("exec", "-it", name, "--", "sh");

        await t.WaitForAsync("/ #");
        t.Type("sleep 100");
        t.Press("Enter");
        await t.WaitForScreenAsync(_ => ProcessesIn(name).Contains("sleep 100"), "sleep 100 running in the isle");
        t.Press("C-c");
        await t.WaitForAsync("/ #", 2); // a new prompt: the shell is still there, the sleep is not
        Assert.DoesNotContain("sleep 100", ProcessesIn(name));

        t.Type("echo still $((1+1))");
        t.Press("Enter");
        await t.WaitForAsync("still 2");
        t.Type("exit 7");
        t.Press("Enter");
        Assert.Equal(7, await t.ExitCodeAsync());
    }

    [Fact]
    public async Task ExecIt_CtrlD_EndsTheShell()
    {
        var name = await RunningIsleAsync();
        using var t = Terminal("exec", "-it", name, "--", "sh");

        await t.WaitForAsync("/ #");
        t.Press("C-d");

        Assert.Equal(0, await t.ExitCodeAsync());
        // islanderctl put its terminal back: the shell after it echoes and handles lines again.
        t.Type("echo back");
        t.Press("Enter");
        await t.WaitForScreenAsync(s => s.Split('\n').Any(l => l.Contains("back", StringComparison.Ordinal)), "the typed line echoed");
    }

    // The terminal is the isle's own (its devpts, as runc's console socket: never a host pty, CVE-2016-9962's family),
    // the process's controlling terminal, and no fd of the daemon or isle-init reaches the process.
    [Fact]
    public async Task ExecIt_TerminalIsTheIslesDevptsAndNoOtherFdLeaks()
    {
        var name = await RunningIsleAsync();
        // tty_nr of /proc/PID/stat: the controlling terminal, 136:0 for /dev/pts/0 (136 << 8).
        using var t = Terminal("exec", "-it", name, "--", "sh", "-c",
            "echo TTY=$(tty); echo PTS=$(ls /dev/pts | tr '\\n' ' ')=; echo CTTY=$(cut -d' ' -f7 /proc/$$/stat); echo DEV=$(stat -c %d /dev/pts/0)=; exec sleep 77");
        var screen = await t.WaitForAsync("CTTY=");

        // The sleep's fds, seen from another exec: only 0-2, all the isle's terminal.
        var fds = (await _h.CtlAsync("exec", name, "--", "sh", "-c",
            "for p in $(pidof sleep); do grep -q 77 /proc/$p/cmdline && ls -l /proc/$p/fd | sed 1d; done")).Stdout;

        Assert.Contains("TTY=/dev/pts/0", screen);
        Assert.Contains("PTS=0 ptmx =", screen); // the isle's one pty: none of the host's (tmux's own is one of those)
        // Another devpts than the host's (where tmux's pty is): its own instance, not the host's seen through a mount.
        var hostDevpts = HostDevice("/dev/pts");
        Assert.Matches(@"DEV=\d+=", screen);
        Assert.DoesNotContain($"DEV={hostDevpts}=", screen);
        Assert.Contains("CTTY=34816", screen);
        var links = fds.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[(l.IndexOf(" 64 ", StringComparison.Ordinal) + 4)..]).ToList();
        Assert.True(links.Count == 3, fds);
        Assert.All(links, l => Assert.Matches(@"^\w+ +\d+ +[\d:]+ [012] -> /dev/pts/0$", l));
        t.Press("C-c");
        Assert.Equal(130, await t.ExitCodeAsync());
    }

    [Fact]
    public async Task ExecIt_DetachKeys_EndTheSessionAndTheCommand()
    {
        var name = await RunningIsleAsync();
        using var t = Terminal("exec", "-it", "--detach-keys", "ctrl-x,x", name, "--", "sh", "-c", "echo READY; exec sleep 88");
        await t.WaitForAsync("READY");
        await t.WaitForScreenAsync(_ => ProcessesIn(name).Contains("sleep 88"), "sleep 88 running in the isle");

        t.Press("C-x", "x");

        Assert.Equal(0, await t.ExitCodeAsync());
        await t.WaitForScreenAsync(_ => !ProcessesIn(name).Contains("sleep 88"), "sleep 88 gone (killed with the session)");
    }

    [Fact]
    public async Task ExecIt_MissingIsleMissingCommand_ClearErrors()
    {
        var name = await RunningIsleAsync();
        using var missingIsle = Terminal("exec", "-it", "nope", "--", "sh");
        using var missingCommand = Terminal("exec", "-it", name, "--", "/bin/nope");

        Assert.Equal(1, await missingIsle.ExitCodeAsync());
        Assert.Contains("error: isle \"nope\" not found", missingIsle.Screen());
        Assert.Equal(127, await missingCommand.ExitCodeAsync());
        Assert.Contains("exec: execve /bin/nope: ENOENT", missingCommand.Screen());
    }

    [Fact]
    public async Task ExecIt_StoppedIsle_Conflict()
    {
        await _h.StartDaemonAsync();
        var job = _h.NewName("job");
        _h.WriteManifest("job.yaml", _h.IsleYaml(job, "exit 1", restartPolicy: "Never"));
        await _h.WaitIsleAsync(job, i => DaemonHarness.Phase(i) == "Failed", TimeSpan.FromSeconds(20), "Failed");
        using var t = Terminal("exec", "-it", job, "--", "sh");

        Assert.Equal(1, await t.ExitCodeAsync());
        Assert.Contains($"error: isle {job} is not running (phase Failed)", t.Screen());
    }

    [Fact]
    public async Task ExecT_WithoutATerminal_TheInputDeviceIsNotATty()
    {
        var name = await RunningIsleAsync();

        var r = await _h.CtlAsync("exec", "-it", name, "--", "sh");

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.StartsWith("error: the input device is not a TTY", r.Stderr);
    }

    static string HostDevice(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("stat", ["-c", "%d", path]) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return output;
    }

    string ProcessesIn(string name) => _h.CtlAsync("exec", name, "--", "ps", "-o", "args").GetAwaiter().GetResult().Stdout;
}
