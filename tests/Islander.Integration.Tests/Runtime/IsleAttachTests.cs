using System.Text;
using Islander.Drivers.Interop;
using Islander.Drivers.Rootfs;
using Islander.Drivers.Runtime;

namespace Islander.Integration.Tests.Runtime;

/// <summary>
/// The shim's attach socket on the real kernel: an isle with stdin or a tty, its output copied to a connection and to
/// the log, stdin written through, a terminal from the isle's own devpts resized and ended as a terminal is.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class IsleAttachTests : IAsyncLifetime
{
    readonly IsleRun _run = new();

    public ValueTask InitializeAsync()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "needs root: namespaces, mounts, pivot_root");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _run.DisposeAsync();

    string Socket => Path.Combine(_run.RunDir, "attach");

    InitConfig Config(bool stdin, bool tty, params string[] argv) => _run.Config(argv) with
    {
        Mounts =
        [
            .. _run.Config(argv).Mounts,
            new MountOp("devpts", "dev/pts", "devpts", MountFlags.NoSuid | MountFlags.NoExec, "newinstance,ptmxmode=0666,mode=0620", MountOpOptions.CreateDir),
        ],
        Stdin = stdin,
        Tty = tty,
        AttachSocket = Socket,
    };

    static CancellationToken Timeout(int seconds = 30) =>
        CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken, new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token).Token;

    /// <summary>Reads frames until the exit frame; returns what came on stdout and stderr and the exit frame's status.</summary>
    static async Task<(string Stdout, string Stderr, IsleExitStatus? Exit)> ReadToExitAsync(IsleAttachConnection c, CancellationToken ct)
    {
        var streams = new[] { new StringBuilder(), new StringBuilder(), new StringBuilder() };
        while (await c.ReceiveAsync(ct) is { } frame)
        {
            if (frame.Stream == 3)
                return (streams[1].ToString(), streams[2].ToString(), IsleExitStatus.Parse(Encoding.UTF8.GetString(frame.Data)));
            streams[frame.Stream].Append(Encoding.UTF8.GetString(frame.Data));
        }
        return (streams[1].ToString(), streams[2].ToString(), null);
    }

    /// <summary>Reads output until <paramref name="text"/> has come; returns all of it.</summary>
    static async Task<string> ReadUntilAsync(IsleAttachConnection c, string text, CancellationToken ct)
    {
        var seen = new StringBuilder();
        while (!seen.ToString().Contains(text, StringComparison.Ordinal))
        {
            var frame = await c.ReceiveAsync(ct) ?? throw new Xunit.Sdk.XunitException($"the connection ended before \"{text}\"; got: {seen}");
            seen.Append(Encoding.UTF8.GetString(frame.Data));
        }
        return seen.ToString();
    }

    [Fact]
    public async Task Stdin_Piped_CatEchoesAndEndsAtStdinClosed()
    {
        await _run.StartAsync(Config(stdin: true, tty: false, "sh", "-c", "cat; echo done >&2; exit 3"));
        using var c = await IsleAttachConnection.ConnectAsync(Socket, "t", true, false, Timeout());

        await c.WriteAsync("hi\n"u8.ToArray(), Timeout());
        c.CloseInput();
        var (stdout, stderr, exit) = await ReadToExitAsync(c, Timeout());

        Assert.Equal("hi\n", stdout);
        Assert.Equal("done\n", stderr);
        Assert.Equal(3, exit?.ExitCode);
        Assert.Equal("hi\n", string.Concat(JsonFileLog.ReadAll(_run.LogPath).Where(e => e.Stream == "stdout").Select(e => e.Log)));
    }

    [Fact]
    public async Task Stdin_KeptOpenWithoutClient_IsleWaitsForInput()
    {
        // Docker's -i: nobody attached, and still no EOF: cat waits.
        await _run.StartAsync(Config(stdin: true, tty: false, "cat"));
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.True(_run.Launcher.IsRunning(_run.Isle!));

        using (var first = await IsleAttachConnection.ConnectAsync(Socket, "t", true, false, Timeout()))
            await first.WriteAsync("one\n"u8.ToArray(), Timeout()); // then detaches: the isle goes on
        using var c = await IsleAttachConnection.ConnectAsync(Socket, "t", true, false, Timeout());
        await c.WriteAsync("two\n"u8.ToArray(), Timeout());
        Assert.Contains("two\n", await ReadUntilAsync(c, "two\n", Timeout()));
        Assert.True(_run.Launcher.IsRunning(_run.Isle!));
    }

    [Fact]
    public async Task Tty_IslesOwnDevpts_ResizeAndEof()
    {
        await _run.StartAsync(Config(stdin: true, tty: true, "sh"));
        using var c = await IsleAttachConnection.ConnectAsync(Socket, "t", true, true, Timeout());

        c.Resize(33, 101);
        // The PTY is the isle's own (devpts newinstance: its first pty is 0), on 0-2, and nothing else is open in PID 1.
        await c.WriteAsync("stty size; tty; ls -l /proc/1/fd; echo $((6*7))x\n"u8.ToArray(), Timeout());
        var output = await ReadUntilAsync(c, "42x", Timeout());
        Assert.Contains("\n33 101\r\n/dev/pts/0\r\n", output);
        // The shell's own fds (0-2, and the copy of its terminal it keeps for job control): the terminal, never the
        // master (/dev/pts/ptmx) nor a socket of the shim.
        var fds = output.Split("\r\n").Where(l => l.Contains(" -> ", StringComparison.Ordinal)).Select(l => l[(l.IndexOf(" -> ", StringComparison.Ordinal) + 4)..]).ToList();
        Assert.Contains("/dev/pts/0", fds);
        Assert.All(fds, fd => Assert.Equal("/dev/pts/0", fd));
        c.CloseInput(); // Ctrl-D at the prompt: the shell ends
        var (_, _, exit) = await ReadToExitAsync(c, Timeout());
        Assert.Equal(0, exit?.ExitCode);
        Assert.False(File.Exists(Socket));
    }

    [Fact]
    public async Task AttachSocket_RootOnly()
    {
        await _run.StartAsync(Config(stdin: true, tty: false, "cat"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Socket));
    }
}
