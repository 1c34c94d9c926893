using System.CommandLine;
using Islander.Cli.Commands;
using Islander.Cli.Completion;
using Islander.Controller.Tests.Api;

namespace Islander.Controller.Tests.Cli;

/// <summary>
/// <c>islanderctl __complete</c>, what the shell scripts print at each Tab: islanderctl's own command tree
/// (<see cref="ClientCommands.Root"/>, as Program.cs runs it) against a real islanderd over the fake runtime.
/// The real shells are driven in the integration tests (ShellCompletionTests).
/// </summary>
public sealed class CompleteCommandTests : IAsyncDisposable
{
    readonly DaemonFixture _d = new();
    readonly RootCommand _root = ClientCommands.Root();

    public ValueTask DisposeAsync() => _d.DisposeAsync();

    /// <summary>The candidates' names and the directive, for the words after <c>islanderctl</c>; the socket as --socket.</summary>
    (string[] Names, string Directive) Complete(params string[] words) => Complete(_d.Socket, words);

    (string[] Names, string Directive) Complete(string socket, string[] words)
    {
        var lines = CompleteCommand.Lines(_root, ["--socket", socket, .. words]);
        return (lines.SkipLast(1).Select(l => l.Split('\t')[0]).ToArray(), lines[^1]);
    }

    async Task StartWithObjectsAsync()
    {
        _d.Write("isles.yaml", """
            apiVersion: islander.io/v1
            kind: Isle
            metadata: {name: web, labels: {app: web, tier: front}}
            spec: {rootfs: /srv/rootfs, command: [httpd]}
            ---
            apiVersion: islander.io/v1
            kind: Isle
            metadata: {name: worker}
            spec: {rootfs: /srv/rootfs, command: [sleep, "1000"]}
            ---
            apiVersion: islander.io/v1
            kind: Network
            metadata: {name: backend, labels: {zone: a}}
            spec: {}
            ---
            apiVersion: islander.io/v1
            kind: Volume
            metadata: {name: data}
            spec: {driver: dir}
            """);
        await _d.StartAsync();
        await _d.WaitAsync(() => _d.CtlAsync("get", "isles").GetAwaiter().GetResult().Out.Split('\n').Count(l => l.Contains("Running", StringComparison.Ordinal)) == 2,
            TimeSpan.FromSeconds(10), "web and worker Running");
    }

    [Fact]
    public async Task Names_ComeFromTheDaemon_ForEachKindAndPosition()
    {
        await StartWithObjectsAsync();

        Assert.Equal(["web", "worker"], Complete("get", "isles", "").Names);
        Assert.Equal(["web", "worker"], Complete("get", "isle", "w").Names);
        Assert.Equal(["worker"], Complete("logs", "wo").Names);
        Assert.Equal(["backend"], Complete("get", "networks", "").Names);
        Assert.Equal(["backend"], Complete("describe", "network", "").Names);
        Assert.Equal(["data"], Complete("delete", "volume", "").Names);
        Assert.Equal(["data"], Complete("volume", "snapshot", "").Names);
        Assert.Equal(["backend", "host", "none"], Complete("run", "--network", "").Names);
        // The kind is given: the next word is a name, not a kind again; after the name, nothing.
        Assert.DoesNotContain("isles", Complete("get", "isles", "").Names);
        Assert.Empty(Complete("get", "isles", "web", "").Names);
        // A flag (--rm) may take true or false, which nobody types: what follows it is completed as without it.
        Assert.Equal(["backend", "host", "none"], Complete("run", "--rm", "-d", "--network", "").Names);
        Assert.DoesNotContain("true", Complete("run", "--rm", "").Names);
        // After --, the isle's command: nothing.
        Assert.Empty(Complete("exec", "web", "--", "").Names);
        Assert.Equal(":values", Complete("exec", "web", "--", "").Directive);
    }

    [Fact]
    public async Task Selector_CompletesTheLabelsTheObjectsHave()
    {
        await StartWithObjectsAsync();

        Assert.Equal(["app=web", "tier=front"], Complete("get", "isles", "-l", "").Names);
        Assert.Equal(["tier=front"], Complete("delete", "isles", "-l", "t").Names);
        Assert.Equal(["app=web", "tier=front", "zone=a"], Complete("get", "all", "-l", "").Names);
        Assert.Equal(["app=web", "tier=front", "zone=a"], Complete("events", "-l", "").Names);
        Assert.Equal(["app=web", "tier=front"], Complete("stats", "-l", "").Names);
        Assert.Equal(["app=web", "tier=front"], Complete("logs", "-l", "").Names);
    }

    [Fact]
    public async Task NamesWithTheirPhase_ForZshAndFish()
    {
        await StartWithObjectsAsync();

        var lines = CompleteCommand.Lines(_root, ["--socket", _d.Socket, "exec", ""]);

        Assert.Contains("web\tRunning", lines);
        Assert.Contains("worker\tRunning", lines);
    }

    [Fact]
    public void VerbsKindsFlagsAndValues_ComeFromTheCommandTree_WithNoDaemon()
    {
        var down = Path.Combine(_d.Dir, "none.sock");

        var verbs = Complete(down, [""]).Names;
        Assert.Contains("get", verbs);
        Assert.Contains("completion", verbs);
        Assert.DoesNotContain(CompleteCommand.Name, verbs); // hidden
        Assert.DoesNotContain(verbs, v => v.StartsWith('-')); // flags once a '-' is typed
        Assert.Equal(["delete", "describe", "diff"], Complete(down, ["d"]).Names);
        Assert.Equal(["all", "isles", "networks", "sources", "volumes"], Complete(down, ["get", ""]).Names);
        Assert.Equal(["isle", "network", "source", "volume"], Complete(down, ["describe", ""]).Names);
        Assert.Equal(["json", "table", "wide", "yaml"], Complete(down, ["get", "isles", "-o", ""]).Names);
        Assert.Contains("--output", Complete(down, ["get", "isles", "--"]).Names);
        Assert.Equal(["bash", "fish", "zsh"], Complete(down, ["completion", ""]).Names);
        Assert.Equal(["always", "no", "on-failure"], Complete(down, ["run", "--rm", "--restart", ""]).Names);
    }

    [Fact]
    public void DaemonDown_NoNames_NoError()
    {
        var down = Path.Combine(_d.Dir, "none.sock");

        var (names, directive) = Complete(down, ["logs", ""]);
        Assert.Empty(names);
        Assert.Equal(":values", directive);
        Assert.Empty(Complete(down, ["run", "--network", ""]).Names.Except(["host", "none"]));
    }

    [Fact]
    public void PathOptions_AskTheShellForFileNames()
    {
        var down = Path.Combine(_d.Dir, "none.sock");

        Assert.Equal(":files", Complete(down, ["apply", "-f", ""]).Directive);
        Assert.Equal(":files", Complete(down, ["image", "import", ""]).Directive);
        Assert.Equal(":dirs", Complete(down, ["run", "--rootfs", "/v"]).Directive);
        Assert.Equal(["default", "unconfined"], Complete(down, ["run", "--seccomp", ""]).Names);
        Assert.Equal(":files", Complete(down, ["run", "--seccomp", ""]).Directive);
        Assert.Equal(":values", Complete(down, ["get", ""]).Directive);
    }

    /// <summary>
    /// Every argument and every option that takes a value says what it completes to, or is listed here as free text
    /// (a new name, a size, a command): a new one without a decision fails, so the completions cannot quietly fall behind.
    /// </summary>
    [Fact]
    public void EveryArgumentAndValueOption_HasACompletionOrIsFreeText()
    {
        string[] freeText =
        [
            "run --name", "run --hostname", "run --env", "run --workdir", "run --user", "run --memory", "run --cpus", "run --cpu-shares",
            "run --cgroup-parent", "run --cpu-period", "run --cpu-quota", "run --cpuset-cpus", "run --pids-limit", "run --storage-opt", "run --device-read-bps",
            "run --device-write-bps", "run --publish", "run --cap-add", "run --cap-drop", "run --userns", "run --tmpfs", "run --stop-timeout",
            "exec command", "exec --env", "exec --user", "exec --workdir", "logs --tail", "logs --since", "logs --until", "image pull REF", "image import --name",
            "volume snapshot SNAPSHOT", "run --detach-keys", "exec --detach-keys", "attach --detach-keys", "stop --time", "restart --time", "wait --timeout", "port port", "cp source", "cp dest", CompleteCommand.Name + " words",
        ];
        var missing = new List<string>();
        void Walk(Command command, string path)
        {
            foreach (var a in command.Arguments)
                if (a.CompletionSources.Count == 0 && !freeText.Contains($"{path}{a.Name}")) missing.Add($"{path}{a.Name}");
            foreach (var o in command.Options)
                if (o.Arity.MaximumNumberOfValues > 0 && o.ValueType != typeof(bool) && o.CompletionSources.Count == 0 && !freeText.Contains($"{path}{o.Name}"))
                    missing.Add($"{path}{o.Name}");
            foreach (var sub in command.Subcommands) Walk(sub, $"{path}{sub.Name} ");
        }
        Walk(_root, "");

        Assert.Empty(missing);
    }
}
