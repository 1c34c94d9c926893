using System.Diagnostics;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// A real terminal for a test: a tmux session on its own tmux server (<c>-L</c>, a socket of its own, so tests and
/// other users of tmux never meet), running one command, whose screen the test reads and keys it sends. The command's
/// exit code is written to a file when it ends. Dispose kills the server and with it the session.
/// </summary>
sealed class TmuxSession : IDisposable
{
    readonly string _server = "islander-test-" + Guid.NewGuid().ToString("N")[..12];
    readonly string _exitFile = Path.Combine(Path.GetTempPath(), "islander-tmux-" + Guid.NewGuid().ToString("N"));

    TmuxSession() { }

    /// <summary>Starts <paramref name="argv"/> in a <paramref name="cols"/>x<paramref name="rows"/> terminal.</summary>
    public static TmuxSession Start(IReadOnlyList<string> argv, int cols = 80, int rows = 24)
    {
        var session = new TmuxSession();
        string command = string.Join(' ', argv.Select(Quote));
        // After the command, the exit code goes to a file and the pane stays until the test kills it.
        session.Tmux("new-session", "-d", "-s", "t", "-x", cols.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-y", rows.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"{command}; echo $? > {session._exitFile}.tmp && mv {session._exitFile}.tmp {session._exitFile}; sleep 600");
        return session;
    }

    static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Types <paramref name="text"/> as it is (tmux send-keys -l).</summary>
    public void Type(string text) => Tmux("send-keys", "-t", "t", "-l", text);

    /// <summary>Presses keys by tmux's names: Enter, C-c, C-d.</summary>
    public void Press(params string[] keys) => Tmux(["send-keys", "-t", "t", .. keys]);

    public void Resize(int cols, int rows) => Tmux("resize-window", "-t", "t", "-x", cols.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "-y", rows.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The screen's text now.</summary>
    public string Screen() => Tmux("capture-pane", "-p", "-t", "t");

    /// <summary>Waits until the screen satisfies <paramref name="done"/> (30 s at most); returns it, or fails with it.</summary>
    public async Task<string> WaitForScreenAsync(Func<string, bool> done, string what, double seconds = 30)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var screen = Screen();
            if (done(screen))
                return screen;
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(seconds), $"the terminal never showed {what}; it shows:\n{screen}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits until the screen shows <paramref name="text"/> <paramref name="times"/> times.</summary>
    public Task<string> WaitForAsync(string text, int times = 1) =>
        WaitForScreenAsync(s => Count(s, text) >= times, $"\"{text}\" {times} time(s)");

    public static int Count(string screen, string text)
    {
        int n = 0;
        for (int i = screen.IndexOf(text, StringComparison.Ordinal); i >= 0; i = screen.IndexOf(text, i + text.Length, StringComparison.Ordinal))
            n++;
        return n;
    }

    /// <summary>The command's exit code, once it has ended (30 s at most).</summary>
    public async Task<int> ExitCodeAsync()
    {
        var sw = Stopwatch.StartNew();
        while (!File.Exists(_exitFile))
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"the command in the terminal did not end; it shows:\n{Screen()}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        return int.Parse(File.ReadAllText(_exitFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    string Tmux(params string[] args)
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-L", _server, .. args]) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"tmux {string.Join(' ', args)}: exit {p.ExitCode}: {error}");
        return output;
    }

    public void Dispose()
    {
        using (var p = Process.Start(new ProcessStartInfo("tmux", ["-L", _server, "kill-server"]) { RedirectStandardError = true, UseShellExecute = false })!)
            p.WaitForExit();
        File.Delete(_exitFile);
        File.Delete(_exitFile + ".tmp");
    }
}
