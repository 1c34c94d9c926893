using System.Diagnostics;
using System.Globalization;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// islanderd started for real with a config file: the socket's group applies (a member of the group, a real
/// unprivileged process, can use islanderctl; one outside it cannot), and a bad file stops it with exit code 2 and
/// <c>FILE:LINE:COL: field: reason</c>, having created nothing.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonConfigTests : IAsyncDisposable
{
    const int Nobody = 65534;

    readonly DaemonHarness _h;
    readonly string _group = $"isltest{Guid.NewGuid().ToString("N")[..8]}";
    bool _groupMade;

    public DaemonConfigTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public async ValueTask DisposeAsync()
    {
        await _h.DisposeAsync();
        if (_groupMade) await RunAsync("groupdel", _group);
    }

    [Fact]
    public async Task SocketGroup_FromConfigFile_SocketIsRootGroup0660_AndTheGroupMayUseIt()
    {
        await RunAsync("groupadd", "--system", _group);
        _groupMade = true;
        int gid = int.Parse((await RunAsync("getent", "group", _group)).Split(':')[2], CultureInfo.InvariantCulture);
        var config = Path.Combine(_h.Dir, "config.yaml");
        File.WriteAllText(config, $"socketGroup: {_group}\nlogLevel: Warning\nworkers: 2\n");

        await _h.StartDaemonAsync("--config", config);

        Assert.Equal($"0:{gid}:660", (await RunAsync("stat", "-c", "%u:%g:%a", _h.Socket)).Trim());
        var member = await CtlAsAsync(["--groups", gid.ToString(CultureInfo.InvariantCulture)]);
        Assert.True(member.ExitCode == 0, member.ToString());
        Assert.Contains("Daemon: 0.9.0+", member.Stdout, StringComparison.Ordinal);
        var outsider = await CtlAsAsync(["--clear-groups"]);
        Assert.NotEqual(0, outsider.ExitCode);
        Assert.DoesNotContain("Daemon:", outsider.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadConfigFile_Exit2WithFileLineField_NothingCreated()
    {
        var config = Path.Combine(_h.Dir, "config.yaml");
        File.WriteAllText(config, "state: /var/lib/islander\nworkres: 2\nlogs:\n  maxSize: lots\n");

        var (exit, stderr) = await IslanderdAsync("--config", config);

        Assert.Equal(2, exit);
        Assert.Contains($"{config}:2:1: workres: unknown field; did you mean workers?", stderr, StringComparison.Ordinal);
        Assert.Contains($"{config}:4:12: logs.maxSize: ", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_h.StateDir), "the state directory was created");
        Assert.False(Directory.Exists(_h.RunDir), "the run directory was created");
        Assert.False(File.Exists(_h.Socket), "the socket was created");
    }

    [Fact]
    public async Task MissingSocketGroup_Exit2_NothingCreated()
    {
        var config = Path.Combine(_h.Dir, "config.yaml");
        File.WriteAllText(config, $"socketGroup: {_group}\n");

        var (exit, stderr) = await IslanderdAsync("--config", config);

        Assert.Equal(2, exit);
        Assert.Contains($"group \"{_group}\" does not exist", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_h.StateDir) || Directory.Exists(_h.RunDir) || File.Exists(_h.Socket), "islanderd created something");
    }

    [Fact]
    public async Task MissingConfigFileAskedFor_Exit2()
    {
        var (exit, stderr) = await IslanderdAsync("--config", Path.Combine(_h.Dir, "none.yaml"));

        Assert.Equal(2, exit);
        Assert.Contains("none.yaml: no such config file", stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// No cgroup filesystem at /sys/fs/cgroup, as under <c>ip netns exec</c>, which mounts a sysfs of its own: here a tmpfs
    /// over it, in a mount namespace of the test's own. islanderd says what is wrong and what to do, without a stack trace.
    /// </summary>
    [Fact]
    public async Task NoCgroupFilesystem_Exit1WithWhatToDo_NoStackTrace()
    {
        var (exit, stdout, stderr) = await IslanderdAsync(["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", "mount -t tmpfs none /sys/fs/cgroup && exec \"$0\" \"$@\""],
            ["--config", "/dev/null"]);
        var output = stdout + stderr;

        Assert.True(exit == 1, $"exit {exit}:\n{output}");
        Assert.Contains("islanderd cannot start: no cgroup filesystem at /sys/fs/cgroup", output, StringComparison.Ordinal);
        Assert.Contains("nsenter --net=/run/netns/NAME instead of ip netns exec", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.False(File.Exists(_h.Socket), "the socket was created");
    }

    [Fact]
    public async Task Version_PrintsTheVersion()
    {
        var output = await RunAsync(DaemonHarness.Islanderd, "--version"); // fails unless the exit code is 0

        Assert.StartsWith("islanderd 0.9.0+", output, StringComparison.Ordinal);
    }

    /// <summary>islanderd on this harness's directories, run to its end (it must not start): exit code and stderr.</summary>
    async Task<(int Exit, string Stderr)> IslanderdAsync(params string[] args)
    {
        var (exit, _, stderr) = await IslanderdAsync([], args);
        return (exit, stderr);
    }

    /// <summary>The same through <paramref name="wrapper"/>, a command that runs what follows it: exit code, stdout and stderr.</summary>
    async Task<(int Exit, string Stdout, string Stderr)> IslanderdAsync(string[] wrapper, string[] args)
    {
        string[] command = [.. wrapper, DaemonHarness.Islanderd, "--manifests", _h.ManifestsDir, "--state", _h.StateDir, "--run", _h.RunDir, "--socket", _h.Socket, .. args];
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command[1..])
            info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var output = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await p.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill();
            throw new Xunit.Sdk.XunitException("islanderd started instead of refusing to start");
        }
        return (p.ExitCode, await output, await stderr);
    }

    /// <summary><c>islanderctl version</c> as user nobody with the given supplementary groups (setpriv).</summary>
    async Task<DaemonHarness.CtlResult> CtlAsAsync(string[] groups)
    {
        var info = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[$"--reuid={Nobody}", $"--regid={Nobody}", .. groups, "--", DaemonHarness.Islanderctl, "--socket", _h.Socket, "version"])
            info.ArgumentList.Add(a);
        info.Environment["HOME"] = "/nonexistent";
        info.Environment.Remove("ISLANDER_SOCKET");
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await p.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new DaemonHarness.CtlResult(p.ExitCode, await stdout, await stderr);
    }

    static async Task<string> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await p.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: exit {p.ExitCode}: {await stderr}");
        return await stdout;
    }
}
