using System.Diagnostics;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// <c>run -i</c>, <c>run -it</c> and <c>attach</c> through a real islanderd into real isles, terminals driven in tmux:
/// PID 1's terminal or stdin held by its shim, across detaches and daemon restarts.
/// </summary>
[Collection(IslanderctlCollection.Name)]
public sealed class IslanderctlAttachTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public IslanderctlAttachTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    string Ctl => $"{DaemonHarness.Islanderctl} --socket {_h.Socket}";

    /// <summary>islanderctl with these arguments (no spaces in any) in a terminal of tmux.</summary>
    TmuxSession Terminal(string args) => TmuxSession.Start([DaemonHarness.Islanderctl, "--socket", _h.Socket, .. args.Split(' ')]);

    static async Task<(int ExitCode, string Stdout, string Stderr)> ShAsync(string script)
    {
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout, await stderr);
    }

    static bool HasLine(string screen, string line) => screen.Split('\n').Any(l => l.Trim() == line);

    static string LastLine(string screen) => screen.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0) ?? "";

    [Fact]
    public async Task RunInteractive_PipedStdin_CatPrintsItAndExits0()
    {
        await _h.StartDaemonAsync();

        var (code, stdout, stderr) = await ShAsync($"echo hi | {Ctl} run -i --rm --rootfs {_h.Rootfs} -- cat");

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Equal("hi\n", stdout);
        Assert.Empty(await _h.ListIslesAsync()); // --rm
    }

    [Fact]
    public async Task RunTty_StdinNotATerminal_RefusedBeforeAnythingIsMade()
    {
        await _h.StartDaemonAsync();

        var (code, _, stderr) = await ShAsync($"echo hi | {Ctl} run -it --rm --rootfs {_h.Rootfs} -- sh");

        Assert.Equal(1, code);
        Assert.Contains("the input device is not a TTY", stderr);
        Assert.Empty(await _h.ListIslesAsync());
    }

    [Fact]
    public async Task RunTty_Shell_ArithmeticResizeCtrlCAndExitCode()
    {
        await _h.StartDaemonAsync();
        using var t = Terminal($"run -it --rm --rootfs {_h.Rootfs} -- sh");

        // The prompt came before the attach: Enter brings a new one, as with Docker.
        t.Press("Enter");
        await t.WaitForAsync("/ #");
        t.Type("echo $((6*7))");
        t.Press("Enter");
        await t.WaitForScreenAsync(s => HasLine(s, "42"), "42 on a line of its own");

        t.Type("stty size");
        t.Press("Enter");
        await t.WaitForScreenAsync(s => HasLine(s, "24 80"), "24 80");
        t.Resize(100, 30);
        // SIGWINCH reaches islanderctl, its resize frame the isle's terminal: asked again until it has (no fixed sleep).
        int polls = 0;
        await t.WaitForScreenAsync(s =>
        {
            if (HasLine(s, "30 100"))
                return true;
            if (polls++ % 20 == 0) // every 2 s: one command at a time
            {
                t.Type("clear; stty size");
                t.Press("Enter");
            }
            return false;
        }, "30 100 from stty size after tmux resize-window");

        t.Type("sleep 100");
        t.Press("Enter");
        await t.WaitForScreenAsync(s => LastLine(s).EndsWith("# sleep 100", StringComparison.Ordinal), "sleep 100 running");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        t.Press("C-c");
        // A new prompt under the ^C (typed ahead, the next line would be flushed with the interrupted input).
        await t.WaitForScreenAsync(s => s.Contains("^C", StringComparison.Ordinal) && LastLine(s) == "/ #", "the prompt after Ctrl-C");
        t.Type("echo after=$?");
        t.Press("Enter");
        await t.WaitForAsync("after=130"); // SIGINT from the isle's terminal ended sleep, long before its 100 s

        t.Type("exit 7");
        t.Press("Enter");
        Assert.Equal(7, await t.ExitCodeAsync());
    }

    [Fact]
    public async Task Attach_TtyIsleFromManifest_DetachKeysLeaveItRunning_AttachAgain()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("tty");
        _h.WriteManifest("tty.yaml", _h.IsleYaml(name, "exec sh", extraSpec: "  tty: true\n  stdin: true\n"));
        var pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name, 30));

        using (var t = Terminal($"attach {name}"))
        {
            t.Press("Enter");
            await t.WaitForAsync("/ #");
            t.Type("echo first-$((1+1))");
            t.Press("Enter");
            await t.WaitForAsync("first-2");
            t.Press("C-p", "C-q");
            Assert.Equal(0, await t.ExitCodeAsync());
        }
        var isle = await _h.GetIsleAsync(name);
        Assert.Equal(("Running", pid), (DaemonHarness.Phase(isle!), DaemonHarness.Pid(isle!)));

        using (var t = Terminal($"attach {name}"))
        {
            t.Press("Enter");
            await t.WaitForAsync("/ #");
            t.Type("echo again-$((2+2))");
            t.Press("Enter");
            await t.WaitForAsync("again-4");
        }
    }

    [Fact]
    public async Task Attach_DaemonRestarted_IsleKeepsItsTerminal_AttachWorksAfter()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("tty");
        _h.WriteManifest("tty.yaml", _h.IsleYaml(name, "exec sh", extraSpec: "  tty: true\n  stdin: true\n"));
        var pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name, 30));
        using var t = Terminal($"attach {name}");
        t.Press("Enter");
        await t.WaitForAsync("/ #");

        await _h.StopDaemonAsync();
        Assert.Equal(1, await t.ExitCodeAsync()); // the attached client is cut; the isle is not
        Assert.True(DaemonHarness.ProcessExists(pid!.Value));
        await _h.StartDaemonAsync();
        Assert.Equal(pid, DaemonHarness.Pid(await _h.WaitRunningAsync(name, 30)));

        using var again = Terminal($"attach {name}");
        again.Type("echo back-$((3*3))");
        again.Press("Enter");
        await again.WaitForAsync("back-9");
        again.Type("exit 5");
        again.Press("Enter");
        Assert.Equal(5, await again.ExitCodeAsync());
    }

    [Fact]
    public async Task Attach_MissingIsle_NotFound()
    {
        await _h.StartDaemonAsync();

        var r = await _h.CtlAsync("attach", "nosuch");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("isle \"nosuch\" not found", r.Stderr);
    }

    [Fact]
    public async Task Attach_EndedIsle_NotRunning()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("done");
        _h.WriteManifest("done.yaml", _h.IsleYaml(name, "exit 0", restartPolicy: "Never", extraSpec: "  tty: true\n"));
        await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) == "Succeeded", TimeSpan.FromSeconds(30), "Succeeded");

        var r = await _h.CtlAsync("attach", "--no-stdin", name);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"isle {name} is not running (phase Succeeded); attach needs a running isle", r.Stderr);
    }

    [Fact]
    public async Task Attach_IsleWithoutStdinOrTty_SaysToUseLogs()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("plain");
        _h.WriteManifest("plain.yaml", _h.IsleYaml(name, "sleep 300"));
        await _h.WaitRunningAsync(name, 30);

        var r = await _h.CtlAsync("attach", name);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"islanderctl logs -f {name}", r.Stderr);
    }

    const string ConnectSource = """
        #include <stdio.h>
        #include <string.h>
        #include <sys/socket.h>
        #include <sys/un.h>
        int main(int argc, char **argv)
        {
            struct sockaddr_un a = {.sun_family = AF_UNIX};
            int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
            strncpy(a.sun_path, argv[1], sizeof a.sun_path - 1);
            if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) { perror("connect"); return 1; }
            puts("connected");
            return 0;
        }
        """;

    [Fact]
    public async Task AttachSocket_UnprivilegedHostUser_CannotConnect()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("in");
        _h.WriteManifest("in.yaml", _h.IsleYaml(name, "exec cat", extraSpec: "  stdin: true\n"));
        await _h.WaitRunningAsync(name, 30);
        var socket = Path.Combine(_h.RunDir, "isles", name, "attach");
        // A real connect(2), built here: root's works (the control), nobody's does not get through.
        var dir = Directory.CreateTempSubdirectory("islander-connect-").FullName;
        try
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
            var program = Path.Combine(dir, "connect");
            File.WriteAllText(program + ".c", ConnectSource);
            var (gcc, _, gccError) = await ShAsync($"gcc -static -O2 -o {program} {program}.c");
            Assert.True(gcc == 0, gccError);

            var root = await ShAsync($"{program} {socket}");
            var user = HostUser.Run(program, socket);

            Assert.True(root.ExitCode == 0, root.Stderr);
            Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(socket));
            Assert.True(user.ExitCode == 1 && user.Stderr.Contains("Permission denied", StringComparison.Ordinal), user.ToString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
