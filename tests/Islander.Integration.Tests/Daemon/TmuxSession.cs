using System.Diagnostics;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// A real terminal for a test: a command in a detached tmux session on a tmux server of its own (<c>-L</c>), 80x24;
/// keys are typed with <c>send-keys</c> and the screen read with <c>capture-pane</c>. Dispose kills the server.
/// </summary>
sealed class TmuxSession : IDisposable
{
    readonly string _server = "islander-test-" + Guid.NewGuid().ToString("N")[..8];

    public TmuxSession(string command)
    {
        Tmux("new-session", "-d", "-s", "t", "-x", "80", "-y", "24", command);
    }

    /// <summary>tmux key names or literal text (<c>send-keys</c>'s rules: "Enter", "C-c", "echo hi").</summary>
    public void Send(params string[] keys) => Tmux(["send-keys", "-t", "t", .. keys]);

    /// <summary>Literal text, no key names.</summary>
    public void Type(string text) => Tmux("send-keys", "-t", "t", "-l", text);

    public string Screen() => Tmux("capture-pane", "-p", "-t", "t");

    public void Resize(int cols, int rows) => Tmux("resize-window", "-t", "t", "-x", cols.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y", rows.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Waits until the screen matches; fails with the screen after <paramref name="seconds"/>.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> until, string what, double seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        for (;;)
        {
            var screen = Screen();
            if (until(screen))
                return screen;
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"the terminal did not show {what} within {seconds} s; screen:\n{screen}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    public Task<string> WaitForAsync(string text, double seconds = 30) => WaitForAsync(s => s.Contains(text, StringComparison.Ordinal), $"\"{text}\"", seconds);

    string Tmux(params string[] args)
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-L", _server, .. args])
            info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"tmux {string.Join(' ', args)}: exit {p.ExitCode}: {error}");
        return output;
    }

    public void Dispose()
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-L", _server, "kill-server"])
            info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        p.StandardError.ReadToEnd();
        p.WaitForExit();
    }
}
