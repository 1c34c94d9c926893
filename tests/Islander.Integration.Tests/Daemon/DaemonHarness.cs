using System.Diagnostics;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// End-to-end tests start real islanderd processes on the machine. Each harness has its own directory, socket and isle
/// names (the cgroup parent <c>islander</c> is shared, isle names never are), and a test whose daemon makes bridges or
/// publishes ports does it in a network namespace of its own (<see cref="DaemonHarness.NetnsPid"/>), so two such tests
/// can run side by side: the tests of islanderd are split into two collections that xunit runs at the same time, this
/// one and <see cref="IslanderctlCollection"/>. Tests that measure the machine (CPU shares, memory, a filled disk, a
/// hundred clients), kill daemons and shims at random, or use the machine's own network namespace and fixed names
/// (the README's tour) are in <see cref="DaemonAloneCollection"/>, which runs when nothing else does.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DaemonCollection
{
    public const string Name = "islanderd end to end (root, real kernel)";
}

/// <summary>
/// islanderctl's own tests against a real islanderd (terminals, cp, completion), and enough of islanderd's to make the
/// two halves about as long: beside <see cref="DaemonCollection"/>.
/// </summary>
[CollectionDefinition(Name)]
public sealed class IslanderctlCollection
{
    public const string Name = "islanderctl end to end (root, real kernel)";
}

/// <summary>End-to-end tests that need the machine to themselves (see <see cref="DaemonCollection"/>): one at a time, after the others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DaemonAloneCollection
{
    public const string Name = "islanderd end to end, alone on the machine (root, real kernel)";
}

/// <summary>
/// A real <c>islanderd</c> as a child process, on a temp directory of its own (manifests, state, run, socket), and
/// <c>islanderctl</c> as a child process. Dispose deletes every isle through the API, stops the daemon, then kills and
/// unmounts whatever is left of this harness's isles (processes, overlay mounts, cgroups) and removes the directory.
/// </summary>
public sealed class DaemonHarness : IAsyncDisposable
{
    readonly string _dir;
    readonly List<string> _names = [];
    readonly StringBuilder _daemonOutput = new();
    Process? _daemon;
    HttpClient? _http;

    public DaemonHarness()
    {
        HostCaps.Require(HostCaps.Cgroups is not null, "a cgroup filesystem at /sys/fs/cgroup");
        _dir = Directory.CreateTempSubdirectory("islander-e2e-").FullName;
        // As /var/lib/islander and /run/islander: traversable by an isle's remapped root.
        File.SetUnixFileMode(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        Directory.CreateDirectory(ManifestsDir);
        Rootfs = TestRootfs.Busybox;
    }

    public string Dir => _dir;
    public string ManifestsDir => Path.Combine(_dir, "manifests");
    public string StateDir => Path.Combine(_dir, "state");
    public string RunDir => Path.Combine(_dir, "run");
    public string Socket => Path.Combine(_dir, "islander.sock");
    public string Rootfs { get; }
    public string DaemonOutput { get { lock (_daemonOutput) return _daemonOutput.ToString(); } }
    public Process? Daemon => _daemon;

    /// <summary>Set: islanderd runs in the network namespace of this process (a test's throwaway "host" namespace).</summary>
    public int? NetnsPid { get; set; }

    /// <summary>A fresh isle name (the cgroup parent <c>islander</c> is shared with any other daemon on the machine).</summary>
    public string NewName(string prefix = "e2e")
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        _names.Add(name);
        return name;
    }

    public string LogFile(string isle) => Path.Combine(StateDir, "isles", isle, "log.json");

    /// <summary>What the isle wrote, stdout and stderr in the order its shim logged them, without the json-file wrapping.</summary>
    public string Log(string isle) => string.Concat(Islander.Drivers.Runtime.JsonFileLog.ReadAll(LogFile(isle)).Select(e => e.Log));

    // ---- binaries ----

    /// <summary>Debug or Release: the configuration the test assembly was built in (…/bin/&lt;Configuration&gt;/net10.0/).</summary>
    public static string Configuration
    {
        get
        {
            var parts = AppContext.BaseDirectory.TrimEnd('/').Split('/');
            int bin = Array.LastIndexOf(parts, "bin");
            return bin >= 0 && bin + 1 < parts.Length ? parts[bin + 1] : "Debug";
        }
    }

    public static string Binary(string project, string name)
    {
        var path = Path.Combine(TestRootfs.RepoRoot, "src", project, "bin", Configuration, "net10.0", name);
        if (File.Exists(path)) return path;
        // Islander.Testing references the controller and this project the CLI, so a copy sits next to the tests too.
        var local = Path.Combine(AppContext.BaseDirectory, name);
        Assert.True(File.Exists(local), $"{path} is missing: build the solution first (dotnet build Islander.sln -c {Configuration})");
        return local;
    }

    /// <summary>
    /// The islanderd the tests start: the build tree's, or the executable <c>ISLANDER_TEST_ISLANDERD</c> names (the
    /// package's NativeAOT islanderd, published with isle-init beside it), to run the daemon tests against it.
    /// </summary>
    public static string Islanderd => Environment.GetEnvironmentVariable("ISLANDER_TEST_ISLANDERD") is { Length: > 0 } other ? other : Binary("Islander.Controller", "islanderd");
    public static string Islanderctl => Binary("Islander.Cli", "islanderctl");

    // ---- the daemon ----

    /// <summary>Starts islanderd and waits until its API answers.</summary>
    public async Task StartDaemonAsync(params string[] extra)
    {
        Assert.Null(_daemon);
        // In a test's network namespace: nsenter joins it and execs islanderd (same pid), so bridges and the nftables table
        // the daemon makes stay there; every other namespace (mounts, cgroups) is the machine's.
        var info = new ProcessStartInfo(NetnsPid is null ? Islanderd : "nsenter") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] prefix = NetnsPid is { } holder ? ["-t", holder.ToString(System.Globalization.CultureInfo.InvariantCulture), "-n", "--", Islanderd] : [];
        // --config /dev/null (every default): a config file of the machine's (/etc/islander/config.yaml) stays out of the
        // tests; a test's own --config, later in extra, wins.
        foreach (var a in (string[])[.. prefix, "--config", "/dev/null", "--manifests", ManifestsDir, "--state", StateDir, "--run", RunDir, "--socket", Socket, .. extra])
            info.ArgumentList.Add(a);
        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_daemonOutput) _daemonOutput.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_daemonOutput) _daemonOutput.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _daemon = p;
        _http?.Dispose();
        _http = null;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(p.HasExited, $"islanderd exited {(p.HasExited ? p.ExitCode : 0)}:\n{DaemonOutput}");
            try
            {
                using var r = await Http.GetAsync("/healthz", TestContext.Current.CancellationToken);
                if (r.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), $"islanderd did not answer on {Socket} within 20 s:\n{DaemonOutput}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>SIGKILL (a crash) or SIGTERM (systemd stop); waits for the process to end.</summary>
    public async Task StopDaemonAsync(bool kill = false)
    {
        if (_daemon is not { } p) return;
        _daemon = null;
        _http?.Dispose();
        _http = null;
        if (!p.HasExited)
        {
            if (kill) p.Kill();
            else _ = Tmds.Linux.LibC.kill(p.Id, Tmds.Linux.LibC.SIGTERM);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try { await p.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { p.Kill(); await p.WaitForExitAsync(); }
        }
        p.Dispose();
    }

    // ---- API over the unix socket ----

    public HttpClient Http => _http ??= new HttpClient(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var s = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await s.ConnectAsync(new UnixDomainSocketEndPoint(Socket), ct);
                return new NetworkStream(s, ownsSocket: true);
            }
            catch
            {
                s.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = new Uri("http://islanderd"), Timeout = TimeSpan.FromSeconds(10) };

    public const string Api = "/apis/islander.io/v1";

    /// <summary>The isle as the API returns it; null on 404.</summary>
    public async Task<JsonObject?> GetIsleAsync(string name)
    {
        using var r = await Http.GetAsync($"{Api}/isles/{name}", TestContext.Current.CancellationToken);
        if (r.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
        var body = await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(r.IsSuccessStatusCode, $"GET isle {name}: {(int)r.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    public async Task<List<JsonObject>> ListIslesAsync()
    {
        var body = await Http.GetStringAsync($"{Api}/isles", TestContext.Current.CancellationToken);
        return JsonNode.Parse(body)!["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
    }

    public async Task<List<JsonObject>> EventsAsync()
    {
        var body = await Http.GetStringAsync($"{Api}/events", TestContext.Current.CancellationToken);
        return JsonNode.Parse(body)!["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
    }

    /// <summary>Polls the API every 10 ms until <paramref name="until"/> holds for the isle; fails with its last view after <paramref name="timeout"/>.</summary>
    public async Task<JsonObject> WaitIsleAsync(string name, Func<JsonObject, bool> until, TimeSpan timeout, string what)
    {
        var sw = Stopwatch.StartNew();
        JsonObject? last = null;
        while (true)
        {
            last = await GetIsleAsync(name);
            if (last is not null && until(last)) return last;
            Assert.True(sw.Elapsed < timeout, $"isle {name}: not {what} within {timeout.TotalSeconds} s; last: {last?.ToJsonString() ?? "(not found)"}\n--- islanderd:\n{DaemonOutput}");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    public Task<JsonObject> WaitRunningAsync(string name, double seconds = 30) =>
        WaitIsleAsync(name, i => Phase(i) == "Running" && Pid(i) is not null, TimeSpan.FromSeconds(seconds), "Running");

    public static string? Phase(JsonObject isle) => (string?)isle["status"]?["phase"];
    public static int? Pid(JsonObject isle) => (int?)isle["status"]?["pid"];
    public static int RestartCount(JsonObject isle) => (int?)isle["status"]?["restartCount"] ?? 0;
    public static long Generation(JsonObject isle) => (long?)isle["metadata"]?["generation"] ?? 0;

    // ---- islanderctl ----

    public sealed record CtlResult(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout:\n{Stdout}\n--- stderr:\n{Stderr}";
    }

    /// <summary>Runs <c>islanderctl --socket SOCKET ARGS</c> to its end.</summary>
    public Task<CtlResult> CtlAsync(params string[] args) => RunCtlAsync(["--socket", Socket, .. args]);

    public static async Task<CtlResult> RunCtlAsync(params string[] args)
    {
        var info = new ProcessStartInfo(Islanderctl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Remove("ISLANDER_SOCKET");
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await p.WaitForExitAsync(timeout.Token);
        return new CtlResult(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts <c>islanderctl --socket SOCKET ARGS</c> without waiting (for <c>logs -f</c>, <c>events -w</c>); the caller kills it.</summary>
    public Process StartCtl(params string[] args)
    {
        var info = new ProcessStartInfo(Islanderctl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["--socket", Socket, .. args]) info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }

    // ---- manifests ----

    /// <summary>An isle manifest on the test rootfs; stops within a second (stopTimeout 1s) so that deletes are quick.</summary>
    public string IsleYaml(string name, string script, string restartPolicy = "Always", string? memory = null, string extraSpec = "") =>
        $"""
        apiVersion: islander.io/v1
        kind: Isle
        metadata:
          name: {name}
          labels: {"{"}test: e2e{"}"}
        spec:
          rootfs: {Rootfs}
          command: ["sh", "-c", {System.Text.Json.JsonSerializer.Serialize(script)}]
          restartPolicy: {restartPolicy}
          stopTimeout: 1s
        {(memory is null ? "" : $"  resources: {{memory: {memory}}}\n")}{extraSpec}
        """;

    /// <summary>Writes a manifest file atomically (a dotfile, which the daemon ignores, renamed into place), as editors and config management do.</summary>
    public string WriteManifest(string file, string yaml)
    {
        var path = Path.Combine(ManifestsDir, file);
        var tmp = Path.Combine(ManifestsDir, "." + file + ".tmp");
        File.WriteAllText(tmp, yaml);
        File.Move(tmp, path, overwrite: true);
        return path;
    }

    public void RemoveManifest(string file) => File.Delete(Path.Combine(ManifestsDir, file));

    // ---- the kernel ----

    public static bool ProcessExists(int pid) => Directory.Exists($"/proc/{pid}") && !IsZombie(pid);

    static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException) { return false; }
    }

    /// <summary>The <paramref name="relative"/> cgroup in every mounted hierarchy (v1: one per controller; v2: the unified one).</summary>
    public static IEnumerable<string> CgroupDirs(string relative)
    {
        var root = HostCaps.Cgroups!.Root;
        var dirs = Directory.GetDirectories(root).Select(h => Path.Combine(h, relative)).Append(Path.Combine(root, relative));
        return dirs.Where(Directory.Exists).ToList();
    }

    /// <summary>Removes the fixed <c>islander</c> cgroup parent where it holds no isle's group.</summary>
    public static void RemoveEmptyParent()
    {
        foreach (var dir in CgroupDirs("islander"))
        {
            if (Directory.EnumerateDirectories(dir).Any()) continue;
            try { Directory.Delete(dir); }
            catch (IOException) { } // in use by another daemon's isle meanwhile
        }
    }

    public static string MemoryLimitFile(string isle) =>
        HostCaps.CgroupV1
            ? Path.Combine(HostCaps.Cgroups!.Root, "memory", "islander", isle, "memory.limit_in_bytes")
            : Path.Combine(HostCaps.Cgroups!.Root, "islander", isle, "memory.max");

    // ---- cleanup ----

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Through the product first: an isle is deleted only through the API or by removing its manifest.
            if (_daemon is { HasExited: false })
            {
                foreach (var f in Directory.GetFiles(ManifestsDir)) File.Delete(f);
                try
                {
                    foreach (var isle in await ListIslesAsync())
                        if ((string?)isle["metadata"]?["managedBy"] == "api")
                            await Http.DeleteAsync($"{Api}/isles/{isle["metadata"]!["name"]}");
                    var sw = Stopwatch.StartNew();
                    while ((await ListIslesAsync()).Count > 0 && sw.Elapsed < TimeSpan.FromSeconds(15))
                        await Task.Delay(50);
                }
                catch (HttpRequestException) { }
            }
            await StopDaemonAsync();
        }
        finally
        {
            _http?.Dispose();
            KillLeftovers();
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>Whatever the daemon did not delete: processes in this harness's cgroups or holding files under its directory, its mounts, its cgroups.</summary>
    void KillLeftovers()
    {
        for (int round = 0; round < 50; round++)
        {
            var pids = LeftoverPids().ToList();
            if (pids.Count == 0) break;
            foreach (var pid in pids) _ = Tmds.Linux.LibC.kill(pid, Tmds.Linux.LibC.SIGKILL);
            Thread.Sleep(100);
        }
        foreach (var mount in File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.StartsWith(_dir + "/", StringComparison.Ordinal)).Reverse())
            Process.Start("umount", ["-l", mount])!.WaitForExit();
        foreach (var name in _names)
            foreach (var dir in CgroupDirs(Path.Combine("islander", name)))
                for (int i = 0; i < 50; i++)
                {
                    try { Directory.Delete(dir); break; }
                    catch (DirectoryNotFoundException) { break; }
                    catch (IOException) { Thread.Sleep(100); }
                }
    }

    IEnumerable<int> LeftoverPids()
    {
        foreach (var d in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var pid) || pid == Environment.ProcessId) continue;
            bool mine = false;
            try
            {
                var cgroup = File.ReadAllText($"{d}/cgroup");
                mine = _names.Any(n => cgroup.Contains($"/islander/{n}\n", StringComparison.Ordinal));
                if (!mine)
                    foreach (var fd in Directory.GetFiles($"{d}/fd"))
                        if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(_dir + "/", StringComparison.Ordinal)) { mine = true; break; }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            if (mine) yield return pid;
        }
    }
}
