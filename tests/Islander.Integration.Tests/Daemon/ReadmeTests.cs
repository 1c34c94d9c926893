using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Islander.Integration.Tests.Package;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// Every command block of README.md runs as written, with bash, against islanderd started by <c>scripts/run.sh</c> (the
/// README's own way) on the shipped examples, with the installed <c>islanderctl</c> (scripts/setup.sh's), and does what
/// the README's comments say. Only the state, run directory and socket differ from a user's: a temporary directory, so
/// that the test does not meet an islanderd already running on the machine. Then it cleans up as a user would: deletes
/// what it made through islanderctl, prunes with an empty manifests directory, stops the daemon with Ctrl-C, and
/// checks that nothing of it is left (processes, cgroups, links, the nftables table, mounts). The package block
/// ("Installing the package") is the one run elsewhere, in a Debian machine under systemd (<see cref="ReadmePackageBlock"/>).
/// </summary>
[Collection(DaemonAloneCollection.Name)]
public sealed class ReadmeTests : IDisposable
{
    const string InstalledCtl = "/usr/local/bin/islanderctl";

    /// <summary>
    /// The set-up block's two commands are the ones not run: CI (and scripts/test.sh, this test's own runner) runs
    /// scripts/setup.sh before the tests, and scripts/test.sh is this test run itself. Its scripts/run.sh is what
    /// <see cref="RunScript"/> starts, with <c>--state</c>/<c>--run</c> and ISLANDER_SOCKET pointing at the temp directory.
    /// </summary>
    static readonly string[] NotRun =
    [
        "sudo scripts/setup.sh && sudo scripts/run.sh",
        "sudo scripts/test.sh",
    ];

    /// <summary>What a command's README comment promises; a command of the README without one must exit 0.</summary>
    sealed record Expect(string Prefix, Action<Result> Check)
    {
        /// <summary>Never ends by design (<c>-f</c>, <c>-w</c>): run under <c>timeout 3</c>, passes when ended by it (124) having printed.</summary>
        public bool Follows { get; init; }

        public int ExitCode { get; init; }

        /// <summary>What a user waits for (isles starting, a port published): the command is repeated until it holds.</summary>
        public double RetrySeconds { get; init; }

        public Func<Task>? Before { get; init; }
        public Func<Task>? After { get; init; }
    }

    sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        public override string ToString() => $"exit {ExitCode}\n--- stdout:\n{Stdout}\n--- stderr:\n{Stderr}";
    }

    readonly string _dir;
    readonly string _socket;
    readonly List<string> _log = [];

    public ReadmeTests()
    {
        HostCaps.RequireRoot();
        HostCaps.Require(HostCaps.Cgroups is not null, "a cgroup filesystem at /sys/fs/cgroup");
        _dir = Directory.CreateTempSubdirectory("islander-readme-").FullName;
        // As /var/lib/islander and /run/islander: traversable by an isle's remapped root.
        File.SetUnixFileMode(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        _socket = Path.Combine(_dir, "islander.sock");
    }

    /// <summary>The temp directory, when the test failed before its clean-up (which removes it) began.</summary>
    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task EveryCommandBlock_RunsAsWritten()
    {
        Assert.True(File.Exists(InstalledCtl), $"{InstalledCtl} is missing: run scripts/setup.sh first (scripts/test.sh does), as the README says");
        var commands = ReadmeCommand.Parse(Path.Combine(TestRootfs.RepoRoot, "README.md"));
        var setup = commands.Where(c => c.Block == 1).Select(c => Regex.Replace(c.Text, @"\s+#.*$", "")).ToArray();
        Assert.Equal(NotRun, setup);

        int? helloPid = null;
        var runNames = new List<string>();
        var expectations = new List<Expect>
        {
            new("islanderctl get isles -o wide", r =>
            {
                foreach (var isle in (string[])["hello", "limited", "web", "client", "notebook"])
                    Assert.Matches($@"(?m)^{isle}\s+Running\s", r.Stdout);
                Assert.Matches(@"(?m)^oom\s+BackOff\s.*killed by the OOM killer", r.Stdout);
            }) { RetrySeconds = 30 },
            new("curl http://127.0.0.1:18080/", r => Assert.StartsWith("hello from web at ", r.Stdout)) { RetrySeconds = 10 },
            new("islanderctl logs hello -f", r => Assert.StartsWith("hello from hello, pid 1\n", r.Stdout)) { Follows = true },
            new("islanderctl describe isle oom", r =>
            {
                Assert.Matches(@"Exit code:\s+137", r.Stdout);
                Assert.Contains("killed by the OOM killer", r.Stdout);
                Assert.Matches(@"Restarts:\s+[1-9]", r.Stdout);
                Assert.Contains("Events:", r.Stdout);
            }),
            new("islanderctl events -w", r => Assert.Matches(@"Started\s+isle/hello\s+pid", r.Stdout)) { Follows = true },
            new("islanderctl get volumes -o wide", r => Assert.Matches(@"(?m)^notes\s+Ready\s+dir\s.*\bnotebook\b.*" + Regex.Escape(Path.Combine(_dir, "state", "volumes", "dir", "notes")), r.Stdout)),
            new("islanderctl logs notebook", r => Assert.Matches(@"^\d+ start\(s\) recorded in the volume\n", r.Stdout)),
            new("islanderctl volume snapshot notes before && islanderctl volume restore notes before", r => Assert.Contains("restarted isles: notebook", r.Stdout)),
            new("islanderctl exec web -- sh -c 'hostname; ps'", r =>
            {
                Assert.Equal("web", r.Lines[0]);
                Assert.Matches(@"(?m)^\s+1 root\s+httpd ", r.Stdout);
                Assert.DoesNotContain("sleep", r.Stdout); // hello's, client's and notebook's processes are not seen
                Assert.DoesNotContain("wget", r.Stdout);
            }),
            new("islanderctl stats --no-stream", r =>
            {
                var limited = Regex.Match(r.Stdout, @"(?m)^limited\s+([\d.]+)%\s");
                Assert.True(limited.Success, r.ToString());
                // Capped at half a CPU (a busy loop); less when the machine is busy, never much more.
                Assert.InRange(double.Parse(limited.Groups[1].Value, CultureInfo.InvariantCulture), 1, 65);
                Assert.Matches(@"(?m)^hello\s", r.Stdout);
            }),
            new("kill -9 $(islanderctl get isle hello -o json | jq .status.pid)", r => Assert.Equal("", r.Stderr))
            {
                Before = async () => helloPid = Pid(await CtlJsonAsync("get", "isle", "hello", "-o", "json")),
                After = async () =>
                {
                    Assert.NotNull(helloPid);
                    await WaitAsync(() => Task.FromResult(!DaemonHarness.ProcessExists(helloPid.Value)), $"hello's pid {helloPid} gone after kill -9", 2);
                    // "Back within a second": allowed five on a busy machine.
                    await WaitAsync(async () => Pid(await CtlJsonAsync("get", "isle", "hello", "-o", "json")) is { } pid && pid != helloPid, "hello running again with a new pid", 5);
                },
            },
            new("cat > /tmp/web.yaml <<'YAML'", r => Assert.Contains("kind: Isle", File.ReadAllText("/tmp/web.yaml"))),
            new("islanderctl diff -f /tmp/web.yaml; islanderctl apply -f /tmp/web.yaml", r =>
            {
                Assert.Contains("+++ b/isle/site (/tmp/web.yaml)", r.Stdout); // diff's
                Assert.Contains("isle/site created", r.Stdout); // apply's; the line's exit code is apply's
            }),
            new("islanderctl delete isle site", r => Assert.Contains("isle/site deleted", r.Stdout)),
            new("islanderctl run --rm busybox -- sh -c 'echo hi; hostname; exit 3'; echo $?", r =>
            {
                Assert.Equal(3, r.Lines.Length);
                Assert.Equal("hi", r.Lines[0]);
                Assert.Matches("^run-[0-9a-f]+$", r.Lines[1]);
                runNames.Add(r.Lines[1]);
                Assert.Equal("3", r.Lines[2]);
            }),
            new("islanderctl run -d --name web2 --network demo -p 18081:8080", r => Assert.Equal("web2\n", r.Stdout))
            {
                After = async () =>
                {
                    // "curl 127.0.0.1:18081": web2's httpd answers (a 404: it serves an empty directory).
                    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
                    await WaitAsync(async () =>
                    {
                        try
                        {
                            using var response = await http.GetAsync("http://127.0.0.1:18081/", TestContext.Current.CancellationToken);
                            return response.Content.Headers.ContentType?.MediaType == "text/html";
                        }
                        catch (HttpRequestException) { return false; }
                    }, "web2's httpd answering on 127.0.0.1:18081", 10);
                },
            },
            new("islanderctl run --no-daemon --rootfs /var/lib/islander/rootfs/busybox", r =>
            {
                // Only the isle's own processes, its command as PID 1, then its hostname.
                Assert.Equal(4, r.Lines.Length);
                Assert.Matches(@"^\s+1 root\s+sh -c ps; hostname$", r.Lines[1]);
                Assert.Matches("^run-[0-9a-f]+$", r.Lines[3]);
                runNames.Add(r.Lines[3]);
            }),
        };

        // The package block (block 2) runs in a Debian machine under systemd, not here: DebPackages runs its
        // scripts/package.sh, DebUnderSystemdTests the rest. This checks that it is still the block those tests run.
        ReadmePackageBlock.Read();
        var tour = commands.Where(c => c.Block > ReadmePackageBlock.Block).ToList();
        foreach (var e in expectations)
            Assert.True(tour.Count(c => c.Text.StartsWith(e.Prefix, StringComparison.Ordinal)) == 1,
                $"README.md has no (or more than one) command starting with \"{e.Prefix}\": update this test with the README");

        var links = Links();
        bool nftTable = NftTableExists();
        var sw = Stopwatch.StartNew();
        Process? daemon = null;
        Exception? failure = null;
        try
        {
            daemon = await RunScriptAsync();
            foreach (var command in tour)
            {
                var e = expectations.SingleOrDefault(x => command.Text.StartsWith(x.Prefix, StringComparison.Ordinal)) ?? new(command.Text, _ => { });
                if (e.Before is { } before) await before();
                var retry = Stopwatch.StartNew();
                while (true)
                {
                    var r = await BashAsync(command.Text, e.Follows);
                    _log.Add($"[{sw.Elapsed.TotalSeconds:F1}s] {command.Head} -> {r.ExitCode}");
                    try
                    {
                        Assert.True(r.ExitCode == (e.Follows ? 124 : e.ExitCode), $"exit code {r.ExitCode}");
                        if (e.Follows) Assert.NotEqual("", r.Stdout);
                        e.Check(r);
                        break;
                    }
                    catch (Xunit.Sdk.XunitException) when (retry.Elapsed < TimeSpan.FromSeconds(e.RetrySeconds))
                    {
                        await Task.Delay(250, TestContext.Current.CancellationToken);
                    }
                    catch (Xunit.Sdk.XunitException x)
                    {
                        Assert.Fail($"{command}\n{x.Message}\n{r}\n--- so far:\n{string.Join('\n', _log)}\n--- scripts/run.sh:\n{DaemonLog()}");
                    }
                }
                if (e.After is { } after) await after();
            }
        }
        catch (Exception x) { failure = x; }
        var leftovers = await CleanUpAsync(daemon, runNames, links, nftTable);
        if (leftovers.Count > 0)
            Assert.Fail($"{(failure is null ? "" : failure.Message + "\n")}left behind:\n{string.Join('\n', leftovers)}\n--- commands:\n{string.Join('\n', _log)}\n--- scripts/run.sh:\n{DaemonLog()}");
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        TestContext.Current.SendDiagnosticMessage($"README tour: {sw.Elapsed.TotalSeconds:F1} s\n{string.Join('\n', _log)}");
    }

    // ---- the daemon, as the README starts it ----

    readonly System.Text.StringBuilder _daemonLog = new();

    string DaemonLog() { lock (_daemonLog) return _daemonLog.ToString(); }

    /// <summary><c>scripts/run.sh [extra]</c> with the temp state, run directory and socket; returns once the API answers.</summary>
    async Task<Process> RunScriptAsync(params string[] extra)
    {
        var info = new ProcessStartInfo(Path.Combine(TestRootfs.RepoRoot, "scripts", "run.sh"))
        {
            WorkingDirectory = TestRootfs.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["--state", Path.Combine(_dir, "state"), "--run", Path.Combine(_dir, "run"), .. extra])
            info.ArgumentList.Add(a);
        SetEnvironment(info);
        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_daemonLog) _daemonLog.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_daemonLog) _daemonLog.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        await WaitAsync(async () =>
        {
            Assert.False(p.HasExited, $"scripts/run.sh exited {(p.HasExited ? p.ExitCode : 0)}:\n{DaemonLog()}");
            return (await CtlAsync("get", "isles")).ExitCode == 0;
        }, "islanderd answering on " + _socket, 60);
        return p;
    }

    /// <summary>Ctrl-C in run.sh's terminal: SIGINT to the script, which stops islanderd (SIGTERM), waits for it and ends.</summary>
    static async Task CtrlCAsync(Process runSh, List<string>? problems = null)
    {
        var islanderd = Children(runSh.Id).Where(pid => Comm(pid) == "islanderd").ToList();
        _ = Tmds.Linux.LibC.kill(runSh.Id, Tmds.Linux.LibC.SIGINT);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
            await runSh.WaitForExitAsync(timeout.Token);
        foreach (var pid in islanderd.Where(pid => Directory.Exists($"/proc/{pid}")))
        {
            problems?.Add($"islanderd (pid {pid}) still there when scripts/run.sh ended after Ctrl-C");
            await WaitAsync(() => Task.FromResult(!DaemonHarness.ProcessExists(pid)), $"islanderd (pid {pid}) ended after Ctrl-C", 20);
        }
        runSh.Dispose();
    }

    void SetEnvironment(ProcessStartInfo info)
    {
        info.Environment["ISLANDER_SOCKET"] = _socket;
        // The islanderctl and islanderd scripts/setup.sh installed, as a user's shell finds them.
        info.Environment["PATH"] = "/usr/local/bin:" + Environment.GetEnvironmentVariable("PATH");
    }

    // ---- commands ----

    /// <summary><c>bash -c COMMAND</c> in the repository, as typed in a terminal there; under <c>timeout 3</c> when it follows.</summary>
    async Task<Result> BashAsync(string command, bool follows)
    {
        var info = new ProcessStartInfo(follows ? "timeout" : "bash")
        {
            WorkingDirectory = TestRootfs.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])[.. follows ? ["3", "bash"] : Array.Empty<string>(), "-c", command])
            info.ArgumentList.Add(a);
        SetEnvironment(info);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await p.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"still running after 30 s: {command}");
        }
        return new Result(p.ExitCode, await stdout, await stderr);
    }

    Task<Result> CtlAsync(params string[] args) =>
        BashAsync("islanderctl " + string.Join(' ', args.Select(a => "'" + a.Replace("'", "'\\''") + "'")), follows: false);

    async Task<JsonObject?> CtlJsonAsync(params string[] args)
    {
        var r = await CtlAsync(args);
        return r.ExitCode == 0 ? JsonNode.Parse(r.Stdout)?.AsObject() : null;
    }

    static int? Pid(JsonObject? isle) => isle is null ? null : DaemonHarness.Pid(isle);

    static async Task WaitAsync(Func<Task<bool>> condition, string what, double seconds)
    {
        var sw = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(seconds), $"not within {seconds} s: {what}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    // ---- clean-up, as a user, then checked ----

    /// <summary>Cleans up; returns what was left behind (or went wrong on the way), each also removed by force.</summary>
    async Task<List<string>> CleanUpAsync(Process? runSh, List<string> runNames, HashSet<string> linksBefore, bool nftTableBefore)
    {
        var problems = new List<string>();
        try
        {
            // Ctrl-C, then `scripts/run.sh --manifests EMPTY` prunes what the manifests made; what islanderctl made
            // (run -d, apply) is deleted with islanderctl, as the README's user would.
            if (runSh is not null) await CtrlCAsync(runSh, problems);
            var empty = Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName;
            var prune = await RunScriptAsync("--manifests", empty);
            try
            {
                if (await CtlJsonAsync("get", "isles", "-o", "json") is { } list)
                    foreach (var isle in list["items"]!.AsArray())
                        if ((string?)isle!["metadata"]?["managedBy"] == "api")
                            await CtlAsync("delete", "isle", (string)isle["metadata"]!["name"]!);
                foreach (var kind in (string[])["isles", "networks", "volumes"])
                    await WaitAsync(async () => await CtlJsonAsync("get", kind, "-o", "json") is { } l && l["items"]!.AsArray().Count == 0,
                        $"no {kind} left after the prune", 30);
            }
            catch (Xunit.Sdk.XunitException x) { problems.Add(x.Message); }
            finally { await CtrlCAsync(prune, problems); }
        }
        catch (Xunit.Sdk.XunitException x) { problems.Add(x.Message); }
        finally
        {
            problems.AddRange(Leftovers(runNames, linksBefore, nftTableBefore));
            File.Delete("/tmp/web.yaml");
            Directory.Delete(_dir, recursive: true);
        }
        return problems;
    }

    static readonly string[] ExampleIsles = ["hello", "from-image", "limited", "oom", "web", "client", "notebook", "site", "web2"];

    /// <summary>What is left of this test's daemon; each is reported, then removed so that the machine is clean anyway.</summary>
    List<string> Leftovers(List<string> runNames, HashSet<string> linksBefore, bool nftTableBefore)
    {
        var problems = new List<string>();
        var names = ExampleIsles.Concat(runNames).ToList();
        for (int round = 0; round < 50; round++)
        {
            var pids = Directory.GetDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
                .Where(pid => pid > 0 && pid != Environment.ProcessId && IsMine(pid, names)).ToList();
            if (pids.Count == 0) break;
            if (round == 0) problems.Add("processes: " + string.Join(", ", pids.Select(pid => $"{pid} {Comm(pid)}")));
            foreach (var pid in pids) _ = Tmds.Linux.LibC.kill(pid, Tmds.Linux.LibC.SIGKILL);
            Thread.Sleep(100);
        }
        var mounts = File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.StartsWith(_dir + "/", StringComparison.Ordinal)).Reverse().ToList();
        if (mounts.Count > 0) problems.Add("mounts: " + string.Join(", ", mounts));
        foreach (var mount in mounts) Process.Start("umount", ["-l", mount])!.WaitForExit();
        foreach (var name in names)
            foreach (var dir in DaemonHarness.CgroupDirs(Path.Combine("islander", name)))
            {
                problems.Add("cgroup " + dir);
                for (int i = 0; i < 50; i++)
                {
                    try { Directory.Delete(dir); break; }
                    catch (DirectoryNotFoundException) { break; }
                    catch (IOException) { Thread.Sleep(100); }
                }
            }
        // `run --no-daemon` works in the default state and run directories (as written: no --state/--run) and removes its isle's.
        foreach (var root in (string[])["/var/lib/islander/isles", "/run/islander/isles"])
            foreach (var name in runNames.Where(n => Directory.Exists(Path.Combine(root, n))))
            {
                problems.Add($"directory {root}/{name}");
                Directory.Delete(Path.Combine(root, name), recursive: true);
            }
        foreach (var link in Links().Except(linksBefore))
        {
            problems.Add("link " + link);
            Process.Start("ip", ["link", "delete", link])!.WaitForExit();
        }
        if (!nftTableBefore && NftTableExists())
        {
            problems.Add("nftables table ip islander");
            Process.Start("nft", ["delete", "table", "ip", "islander"])!.WaitForExit();
        }
        return problems;
    }

    /// <summary>In one of this test's isles' cgroups, or holding this test's socket (islanderd, isle-init shims) or a file under its directory.</summary>
    bool IsMine(int pid, List<string> names)
    {
        try
        {
            var cgroup = File.ReadAllText($"/proc/{pid}/cgroup");
            if (names.Any(n => cgroup.Contains($"/islander/{n}\n", StringComparison.Ordinal))) return true;
            if (File.ReadAllText($"/proc/{pid}/environ").Split('\0').Contains("ISLANDER_SOCKET=" + _socket)) return true;
            foreach (var fd in Directory.GetFiles($"/proc/{pid}/fd"))
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(_dir + "/", StringComparison.Ordinal)) return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return false;
    }

    /// <summary>The host's links islander names (bridges <c>islbr-*</c>, the host ends of veths <c>isl*</c>).</summary>
    static HashSet<string> Links() =>
        Directory.GetDirectories("/sys/class/net").Select(Path.GetFileName).Where(n => n!.StartsWith("isl", StringComparison.Ordinal)).ToHashSet()!;

    static bool NftTableExists()
    {
        using var p = Process.Start(new ProcessStartInfo("nft", ["list", "tables"]) { RedirectStandardOutput = true })!;
        var tables = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return tables.Split('\n').Contains("table ip islander");
    }

    static IEnumerable<int> Children(int parent) =>
        Directory.GetDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && PPid(pid) == parent).ToList();

    static int PPid(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (IOException) { return 0; }
    }

    static string Comm(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); }
        catch (IOException) { return "?"; }
    }
}
