using System.Diagnostics;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// <c>islanderctl completion bash|zsh|fish</c> in the real shells, against a real islanderd with real isles: bash and zsh
/// interactive in a tmux terminal (Tab pressed, the screen read back, as a user sees it), fish through its own
/// <c>complete -C</c>. The shells find the built islanderctl on PATH, as an installed one.
/// </summary>
[Collection(IslanderctlCollection.Name)]
public sealed class ShellCompletionTests : IAsyncDisposable
{
    readonly DaemonHarness _h;
    readonly string _bin;
    readonly string _alpha, _beta;

    public ShellCompletionTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
        // islanderctl on PATH, as the package installs it.
        _bin = Directory.CreateDirectory(Path.Combine(_h.Dir, "bin")).FullName;
        File.CreateSymbolicLink(Path.Combine(_bin, "islanderctl"), DaemonHarness.Islanderctl);
        _alpha = _h.NewName("cmpa");
        _beta = _h.NewName("cmpb");
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    async Task StartWithIslesAsync()
    {
        await _h.StartDaemonAsync();
        _h.WriteManifest("alpha.yaml", _h.IsleYaml(_alpha, "exec sleep 1000"));
        _h.WriteManifest("beta.yaml", _h.IsleYaml(_beta, "exec sleep 1000"));
        _h.WriteManifest("data.yaml", "apiVersion: islander.io/v1\nkind: Volume\nmetadata: {name: cmpdata}\nspec: {driver: dir}\n");
        await _h.WaitRunningAsync(_alpha, 15);
        await _h.WaitRunningAsync(_beta, 15);
        var import = await Shell.RunAsync("bash", ["-c", $"tar -C {_h.Rootfs} -c . | islanderctl image import - --name busybox:latest"], Environment());
        Assert.True(import.ExitCode == 0, import.Output);
    }

    Dictionary<string, string> Environment(string? socket = null) => new()
    {
        ["PATH"] = _bin + ":" + System.Environment.GetEnvironmentVariable("PATH"),
        ["ISLANDER_SOCKET"] = socket ?? _h.Socket,
        ["HOME"] = _h.Dir,
        ["TERM"] = "xterm",
    };

    [Fact]
    public async Task Bash_Tab_CompletesVerbsKindsFlagsAndTheDaemonsNames()
    {
        await StartWithIslesAsync();
        await using var bash = await Tmux.StartAsync(_h.Dir, "bash --norc --noprofile", Environment());
        await bash.SetUpAsync("PS1='$ '; bind 'set show-all-if-ambiguous on'; bind 'set completion-query-items 0'; source <(islanderctl completion bash)");

        // Several candidates: listed under the prompt.
        var screen = await bash.TabAsync("islanderctl get isles cmp", _alpha, _beta);
        Assert.DoesNotContain("cmpdata", screen);
        await bash.ClearLineAsync();
        // One candidate: completed in place, with a space after it.
        await bash.TabAsync("islanderctl logs cmpa", $"$ islanderctl logs {_alpha} ");
        await bash.ClearLineAsync();
        await bash.TabAsync("islanderctl describe volume cmp", "$ islanderctl describe volume cmpdata ");
        await bash.ClearLineAsync();
        await bash.TabAsync("islanderctl desc", "$ islanderctl describe ");
        await bash.ClearLineAsync();
        screen = await bash.TabAsync("islanderctl get ", "isles", "networks", "volumes");
        await bash.ClearLineAsync();
        // -l: the labels the objects have (the isles here carry test: e2e); bash cuts words at '=' too.
        await bash.TabAsync("islanderctl get isles -l te", "$ islanderctl get isles -l test=e2e ");
        await bash.ClearLineAsync();
        await bash.TabAsync("islanderctl get isles --out", "$ islanderctl get isles --output ");
        await bash.ClearLineAsync();
        await bash.TabAsync("islanderctl get isles -o y", "$ islanderctl get isles -o yaml ");
        await bash.ClearLineAsync();
        // busybox:latest: bash cuts words at ':', the script glues them back.
        await bash.TabAsync("islanderctl run --rm busybox:l", "$ islanderctl run --rm busybox:latest ");
        await bash.ClearLineAsync();
        await bash.TabAsync("islanderctl image inspect bus", "$ islanderctl image inspect busybox:latest ");
        await bash.ClearLineAsync();
        // A path option: the shell's file names.
        await bash.TabAsync($"islanderctl apply -f {_h.ManifestsDir}/alp", $"$ islanderctl apply -f {_h.ManifestsDir}/alpha.yaml ");
        await bash.ClearLineAsync();
    }

    [Fact]
    public async Task Bash_WithBashCompletionLoaded_CompletesNames()
    {
        Assert.SkipUnless(File.Exists("/usr/share/bash-completion/bash_completion"), "needs Debian's bash-completion (scripts/setup.sh installs it)");
        await StartWithIslesAsync();
        await using var bash = await Tmux.StartAsync(_h.Dir, "bash --norc --noprofile", Environment());
        // As an interactive shell with the package: bash-completion loaded, the script as the package installs it.
        var file = Path.Combine(_h.Dir, "islanderctl.bash");
        var script = await Shell.RunAsync("islanderctl", ["completion", "bash"], Environment());
        File.WriteAllText(file, script.Output);
        await bash.SetUpAsync($"PS1='$ '; source /usr/share/bash-completion/bash_completion; bind 'set show-all-if-ambiguous on'; source {file}");

        await bash.TabAsync("islanderctl exec cmpb", $"$ islanderctl exec {_beta} ");
        await bash.ClearLineAsync();
        await bash.TabAsync("islanderctl run busybox:", "$ islanderctl run busybox:latest ");
        await bash.ClearLineAsync();
    }

    [Fact]
    public async Task Bash_DaemonDown_CompletesNothingAndPrintsNothing()
    {
        var missing = Path.Combine(_h.Dir, "none.sock");
        await using var bash = await Tmux.StartAsync(_h.Dir, "bash --norc --noprofile", Environment(missing));
        await bash.SetUpAsync("PS1='$ '; bind 'set show-all-if-ambiguous on'; source <(islanderctl completion bash)");

        await bash.TypeAsync("islanderctl logs ");
        await bash.WaitForAsync("$ islanderctl logs ");
        await bash.TypeAsync("\t");
        // The completion ran (islanderctl starts in well under a second) and left the screen as it was.
        await Task.Delay(3000, TestContext.Current.CancellationToken);
        var screen = await bash.ScreenAsync();
        Assert.Equal("$ islanderctl logs ", string.Join('\n', screen.Split('\n').Where(l => l.Trim().Length > 0)));
        // Verbs still complete: they come from islanderctl, not from the daemon.
        await bash.ClearLineAsync();
        await bash.TabAsync("islanderctl versi", "$ islanderctl version ");
        await bash.ClearLineAsync();
    }

    [Fact]
    public async Task Zsh_Tab_CompletesTheDaemonsNames_SourcedAndFromFpath()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/zsh"), "needs zsh (scripts/setup.sh installs it)");
        await StartWithIslesAsync();
        // From $fpath, as the package installs it (/usr/share/zsh/vendor-completions/_islanderctl).
        var functions = Directory.CreateDirectory(Path.Combine(_h.Dir, "zfunc")).FullName;
        var script = await Shell.RunAsync("islanderctl", ["completion", "zsh"], Environment());
        File.WriteAllText(Path.Combine(functions, "_islanderctl"), script.Output);
        await using (var zsh = await Tmux.StartAsync(_h.Dir, "zsh -f", Environment()))
        {
            await zsh.SetUpAsync($"PS1='$ '; fpath=({functions} $fpath); autoload -U compinit; compinit -u");
            await zsh.TabAsync("islanderctl get isles cmp", _alpha, _beta);
            await zsh.ClearLineAsync();
            await zsh.TabAsync("islanderctl logs cmpa", $"$ islanderctl logs {_alpha} ");
            await zsh.ClearLineAsync();
            await zsh.TabAsync("islanderctl image inspect busybox:", "$ islanderctl image inspect busybox:latest ");
            await zsh.ClearLineAsync();
        }
        // Sourced after compinit, as the script's header says.
        await using (var zsh = await Tmux.StartAsync(_h.Dir, "zsh -f", Environment()))
        {
            await zsh.SetUpAsync("PS1='$ '; autoload -U compinit; compinit -u; source <(islanderctl completion zsh)");
            await zsh.TabAsync("islanderctl exec cmpb", $"$ islanderctl exec {_beta} ");
            await zsh.ClearLineAsync();
            await zsh.TabAsync("islanderctl volume snapshot cmp", "$ islanderctl volume snapshot cmpdata ");
            await zsh.ClearLineAsync();
        }
    }

    [Fact]
    public async Task Fish_CompleteC_ListsTheDaemonsNames()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/fish"), "needs fish (scripts/setup.sh installs it)");
        await StartWithIslesAsync();
        var r = await Shell.RunAsync("fish", ["--no-config", "-c", "islanderctl completion fish | source; complete -C 'islanderctl get isles '; complete -C 'islanderctl run busy'; complete -C 'islanderctl lo'"], Environment());

        Assert.True(r.ExitCode == 0, r.Output);
        var lines = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains($"{_alpha}\tRunning", lines);
        Assert.Contains($"{_beta}\tRunning", lines);
        Assert.Contains(lines, l => l.StartsWith("busybox:latest\t", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("logs\t", StringComparison.Ordinal));

        var down = await Shell.RunAsync("fish", ["--no-config", "-c", "islanderctl completion fish | source; complete -C 'islanderctl logs '"], Environment(Path.Combine(_h.Dir, "none.sock")));
        Assert.True(down.ExitCode == 0 && down.Output.Length == 0, down.Output);
    }

    /// <summary>A command to its end, stdout and stderr together.</summary>
    static class Shell
    {
        public static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] args, Dictionary<string, string> env)
        {
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) info.ArgumentList.Add(a);
            foreach (var (k, v) in env) info.Environment[k] = v;
            if (!file.Contains('/')) info.FileName = env["PATH"].Split(':').Select(d => Path.Combine(d, file)).First(File.Exists);
            using var p = Process.Start(info)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await p.WaitForExitAsync(timeout.Token);
            return (p.ExitCode, await stdout + await stderr);
        }
    }

    /// <summary>An interactive shell in a detached tmux session on a server of its own (its socket in the test's directory).</summary>
    sealed class Tmux : IAsyncDisposable
    {
        readonly string _socket;
        readonly Dictionary<string, string> _env;

        Tmux(string socket, Dictionary<string, string> env) => (_socket, _env) = (socket, env);

        public static async Task<Tmux> StartAsync(string dir, string shell, Dictionary<string, string> env)
        {
            var t = new Tmux(Path.Combine(dir, $"tmux-{Guid.NewGuid():N}"), env);
            var env1 = string.Join(' ', env.Select(e => $"{e.Key}='{e.Value}'"));
            await t.TmuxAsync("new-session", "-d", "-x", "220", "-y", "50", $"env -i {env1} {shell}");
            return t;
        }

        async Task<string> TmuxAsync(params string[] args)
        {
            var r = await Shell.RunAsync("/usr/bin/tmux", ["-S", _socket, .. args], _env);
            Assert.True(r.ExitCode == 0, $"tmux {string.Join(' ', args)}: {r.Output}");
            return r.Output;
        }

        public Task TypeAsync(string keys) => TmuxAsync("send-keys", "-t", "0", "-l", keys);

        /// <summary>The screen as tmux holds it; -N keeps the blank after a completed word.</summary>
        public Task<string> ScreenAsync() => TmuxAsync("capture-pane", "-p", "-N", "-t", "0");

        public async Task<string> WaitForAsync(params string[] texts)
        {
            var sw = Stopwatch.StartNew();
            while (true)
            {
                var screen = await ScreenAsync();
                if (texts.All(t => screen.Contains(t, StringComparison.Ordinal))) return screen;
                Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"not on the screen within 20 s: {string.Join(" | ", texts)}\n--- screen:\n{screen}");
                await Task.Delay(100);
            }
        }

        /// <summary>Types <paramref name="line"/>, presses Tab, and waits for <paramref name="expected"/> on the screen.</summary>
        public async Task<string> TabAsync(string line, params string[] expected)
        {
            await TypeAsync(line);
            await WaitForAsync(line);
            await TypeAsync("\t");
            return await WaitForAsync(expected);
        }

        /// <summary>Runs the set-up commands, then waits for a clear screen with the prompt <c>$ </c> (PS1 is set there).</summary>
        public async Task SetUpAsync(string commands)
        {
            await WaitForAsync("#");
            await TypeAsync(commands + "; clear\n");
            await WaitClearAsync();
        }

        /// <summary>Ctrl-U (the line erased, in bash and zsh alike), then clears the screen so that the next check reads only its own output.</summary>
        public async Task ClearLineAsync()
        {
            await TmuxAsync("send-keys", "-t", "0", "C-u");
            await TypeAsync("clear\n");
            await WaitClearAsync();
        }

        async Task WaitClearAsync()
        {
            var sw = Stopwatch.StartNew();
            string screen;
            while ((screen = await ScreenAsync()).Trim() != "$")
            {
                Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"the screen did not clear:\n{screen}");
                await Task.Delay(100);
            }
        }

        public async ValueTask DisposeAsync() => await Shell.RunAsync("/usr/bin/tmux", ["-S", _socket, "kill-server"], _env);
    }
}
