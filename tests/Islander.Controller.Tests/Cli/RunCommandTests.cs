using Islander.Controller.Desired;
using Islander.Model.Api;
using Islander.Cli.Api;
using Islander.Controller.Ports;
using Islander.Controller.Tests.Api;
using Microsoft.Extensions.DependencyInjection;

namespace Islander.Controller.Tests.Cli;

/// <summary>islanderctl run through a real islanderd host over the fake runtime: what a docker run user sees.</summary>
public sealed class RunCommandTests : IAsyncLifetime
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    readonly DaemonFixture _d = new();

    public async ValueTask InitializeAsync() => await _d.StartAsync();

    public async ValueTask DisposeAsync() => await _d.DisposeAsync();

    Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => _d.CtlAsync(["run", .. args]);

    async Task<ObjectView?> FindAsync(string name)
    {
        using var client = new IslanderClient(_d.Socket);
        return await client.FindAsync("isles", name, default);
    }

    /// <summary>Plays the isle's process: waits until it runs, writes lines, exits with <paramref name="code"/>.</summary>
    async Task PlayAsync(string name, int code, params string[] lines)
    {
        await _d.WaitAsync(() => _d.Runtime.IsRunning(name), Timeout, $"isle {name} to run");
        foreach (var line in lines) _d.Runtime.WriteLog(name, line);
        _d.Runtime.Exit(name, code);
    }

    [Fact]
    public async Task Run_Pid1OomKilled_SaysTheIsleWasOomKilled()
    {
        var run = RunAsync("--name", "hog", "--rootfs", "/srv/rootfs/busybox", "--memory", "32Mi", "--", "hog");
        await _d.WaitAsync(() => _d.Runtime.IsRunning("hog"), Timeout, "isle hog to run");
        _d.Runtime.OomKill("hog");

        var (exit, _, error) = await run;

        Assert.Equal(137, exit);
        Assert.Equal("islanderctl: isle hog was OOM-killed: it reached its memory limit of 32Mi\n", error);
    }

    [Fact]
    public async Task Run_ChildOomKilled_SaysAProcessOfTheIsleWas_NotTheIsle()
    {
        // sh (pid 1) outlives the child the OOM killer took and exits by itself, here with the 137 it saw.
        var run = RunAsync("--name", "pipe", "--rootfs", "/srv/rootfs/busybox", "--memory", "32Mi", "--", "sh", "-c", "head -c 96m /dev/zero | tail");
        await _d.WaitAsync(() => _d.Runtime.IsRunning("pipe"), Timeout, "isle pipe to run");
        _d.Runtime.OomKillChild("pipe", 137);

        var (exit, _, error) = await run;

        Assert.Equal(137, exit);
        Assert.Equal("islanderctl: the OOM killer killed a process of isle pipe (it reached its memory limit of 32Mi); its pid 1 exited by itself with code 137\n", error);
    }

    [Fact]
    public async Task Run_Foreground_StreamsTheLogAndExitsWithTheIsleCode()
    {
        var run = RunAsync("--name", "job", "--rootfs", "/srv/rootfs/busybox", "--memory", "64Mi", "--", "sh", "-c", "echo hi; exit 3");
        await PlayAsync("job", 3, "hi", "job");

        var (exit, output, error) = await run;

        Assert.True(exit == 3, error);
        Assert.Equal("hi\njob\n", output);
        var spec = _d.Runtime.SpecOf("job")!;
        Assert.Equal(["sh", "-c", "echo hi; exit 3"], spec.Command);
        Assert.Equal(Islander.Model.RestartPolicy.Never, spec.RestartPolicy);
        Assert.Equal(64L << 20, spec.Resources.Memory);
        var isle = await FindAsync("job"); // without --rm it stays, as docker ps -a shows it
        Assert.Equal("Failed", isle?.Status.Phase);
        Assert.Equal("api", isle?.Metadata.ManagedBy);
    }

    [Fact]
    public async Task RunRm_Foreground_EventsKeepTheWholeLifecycleAndNothingIsLeft()
    {
        var run = RunAsync("--rm", "--name", "job", "--rootfs", "/srv/rootfs/busybox", "--", "sh", "-c", "echo hi; exit 3");
        await PlayAsync("job", 3, "hi");

        var (exit, output, error) = await run;

        Assert.True(exit == 3, error);
        Assert.Equal("hi\n", output);
        Assert.Null(await FindAsync("job"));
        // The run watched without the stored history (history=false); what it lived through is still recorded.
        var (listed, events, listError) = await _d.CtlAsync("events");
        Assert.True(listed == 0, listError);
        var reasons = events.Split('\n').Where(l => l.Contains("job", StringComparison.Ordinal)).ToList();
        Assert.Contains(reasons, l => l.Contains("Starting", StringComparison.Ordinal));
        Assert.Contains(reasons, l => l.Contains("Started", StringComparison.Ordinal));
        Assert.Contains(reasons, l => l.Contains("Deleted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_ManyEventsStored_EachRunStillSeesItsOwnEnd()
    {
        // Runs one after another on one daemon: each waits on a watch without history, so none may miss its isle's
        // end, whatever the store holds by then (an event replayed from an earlier run wakes nothing it needs).
        for (int i = 0; i < 5; i++)
        {
            string name = $"job{i}";
            var run = RunAsync("--rm", "--name", name, "--rootfs", "/srv/rootfs/busybox", "--", "true");
            await PlayAsync(name, i);

            var (exit, _, error) = await run;

            Assert.True(exit == i, error);
            Assert.Null(await FindAsync(name));
        }
    }

    [Theory]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "--security-opt", "no-new-privileges" }, true)]
    [InlineData(new[] { "--security-opt", "no-new-privileges:true" }, true)]
    [InlineData(new[] { "--security-opt", "no-new-privileges=false" }, false)]
    public async Task Run_SecurityOptNoNewPrivileges_AsDockerReadsIt(string[] flags, bool set)
    {
        var run = RunAsync([.. flags, "--name", "job", "--rootfs", "/srv/rootfs/busybox", "--", "true"]);
        await PlayAsync("job", 0);

        var (exit, _, error) = await run;

        Assert.True(exit == 0, error);
        Assert.Equal(set, _d.Runtime.SpecOf("job")!.Security.NoNewPrivileges);
    }

    [Theory]
    [InlineData(new string[0], 2048L, null)]
    [InlineData(new[] { "--pids-limit", "-1", "--storage-opt", "size=1Gi" }, 0L, 1L << 30)]
    [InlineData(new[] { "--pids-limit", "0" }, 0L, null)]
    [InlineData(new[] { "--pids-limit", "64" }, 64L, null)]
    public async Task Run_PidsLimitAndStorageOpt_AsDockerReadsThem(string[] flags, long pids, long? disk)
    {
        var run = RunAsync([.. flags, "--name", "job", "--rootfs", "/srv/rootfs/busybox", "--", "true"]);
        await PlayAsync("job", 0);

        var (exit, _, error) = await run;

        Assert.True(exit == 0, error);
        var resources = _d.Runtime.SpecOf("job")!.Resources;
        Assert.Equal((pids, disk), (resources.Pids, resources.Disk));
    }

    [Fact]
    public async Task Run_KilledBySignal_Exits128PlusSignal()
    {
        var run = RunAsync("--name", "job", "--rootfs", "/srv/rootfs/busybox", "--", "sleep", "1000");
        await _d.WaitAsync(() => _d.Runtime.IsRunning("job"), Timeout, "job to run");
        _d.Runtime.Kill("job", 9);

        var (exit, _, error) = await run;

        Assert.True(exit == 137, error);
    }

    [Fact]
    public async Task Run_Rm_DeletesTheIsleWhenItEnds()
    {
        var run = RunAsync("--rm", "--name", "once", "--rootfs", "/srv/rootfs/busybox", "--", "true");
        await PlayAsync("once", 0, "done");

        var (exit, output, error) = await run;

        Assert.True(exit == 0, error);
        Assert.Equal("done\n", output);
        Assert.Null(await FindAsync("once"));
        Assert.DoesNotContain("once", _d.Runtime.Names);
    }

    [Fact]
    public async Task Run_Detach_PrintsTheNameOnceRunning()
    {
        var (exit, output, error) = await RunAsync("-d", "--name", "web", "--rootfs", "/srv/rootfs/busybox", "--", "httpd", "-f");

        Assert.True(exit == 0, error);
        Assert.Equal("web\n", output);
        Assert.True(_d.Runtime.IsRunning("web"));
        Assert.Equal("Running", (await FindAsync("web"))?.Status.Phase);
    }

    [Fact]
    public async Task Run_Image_RunsTheImageWithTheCommandAfterTheDashes()
    {
        _d.Images.Add("busybox:latest");

        var (exit, output, error) = await RunAsync("-d", "--name", "img", "busybox", "--", "echo", "hi");

        Assert.True(exit == 0, error);
        Assert.Equal("img\n", output);
        Assert.Equal("busybox", _d.Runtime.SpecOf("img")?.Image);
        Assert.Equal(["echo", "hi"], _d.Runtime.SpecOf("img")!.Command);
    }

    [Fact]
    public async Task Run_ImageWithoutDashes_ReadsTheRestAsTheCommandAsDockerDoes()
    {
        _d.Images.Add("busybox:latest");

        var (exit, _, error) = await RunAsync("-d", "--name", "img", "busybox", "echo", "hi");

        Assert.True(exit == 0, error);
        Assert.Equal(["echo", "hi"], _d.Runtime.SpecOf("img")!.Command);
    }

    [Fact]
    public async Task Run_NetworkAndPublish_BecomeTheIslesNetworksAndPorts()
    {
        await _d.CtlAsync("apply", "-f", _d.WriteTemp("net.yaml", "apiVersion: islander.io/v1\nkind: Network\nmetadata: {name: backend}\nspec: {subnet: 10.88.0.0/24}\n"));

        var (exit, _, error) = await RunAsync("-d", "--name", "web", "--network", "backend", "-p", "18080:8080", "-p", "5353:53/udp",
            "-e", "MODE=prod", "-v", "/srv/www:/www:ro", "--tmpfs", "/scratch:size=8Mi", "--rootfs", "/srv/rootfs/busybox", "--", "httpd", "-f");

        Assert.True(exit == 0, error);
        Assert.True(_d.Runtime.IsRunning("web"));
        // The isle's own spec (as started, it also binds the hosts file networking writes at /etc/hosts).
        var spec = _d.App!.Services.GetRequiredService<DesiredStore>().Get(Islander.Model.ObjectKey.Isle("web"))!.Object!.Isle!;
        Assert.Equal("backend", Assert.Single(spec.Networks).Name);
        Assert.Equal([new Islander.Model.PortMapping(8080, 18080), new Islander.Model.PortMapping(53, 5353, Islander.Model.PortProtocol.Udp)], spec.Ports);
        Assert.Equal("prod", Assert.Single(spec.Env).Value);
        Assert.Equal(2, spec.Volumes.Count);
        Assert.True(spec.Volumes[0].ReadOnly);
        Assert.Equal(8L << 20, spec.Volumes[1].Tmpfs?.Size);
    }

    [Fact]
    public async Task Run_NoName_GeneratesOne()
    {
        var (exit, output, error) = await RunAsync("-d", "--rootfs", "/srv/rootfs/busybox", "--", "httpd");

        Assert.True(exit == 0, error);
        Assert.Matches("^run-[0-9a-f]{1,8}\n$", output);
        Assert.True(_d.Runtime.IsRunning(output.Trim()));
    }

    [Fact]
    public async Task Run_NameTaken_FailsAndLeavesTheRunningIsleAlone()
    {
        await RunAsync("-d", "--name", "web", "--rootfs", "/srv/rootfs/busybox", "--", "httpd");

        var (exit, _, error) = await RunAsync("--name", "web", "--rootfs", "/srv/rootfs/other", "--", "sh");

        Assert.Equal(125, exit);
        Assert.Contains("already exists", error);
        Assert.Contains("--name", error);
        Assert.Contains("islanderctl delete isle web", error);
        Assert.Equal(1, _d.Runtime.Incarnations("web"));
        Assert.Equal("/srv/rootfs/busybox", _d.Runtime.SpecOf("web")?.Rootfs);
    }

    [Fact]
    public async Task Run_MissingImage_Exits125WithTheReasonAndKeepsTheIsle()
    {
        var (exit, output, error) = await RunAsync("--name", "ghost", "localhost:5000/nope:1");

        Assert.Equal(125, exit);
        Assert.Equal("", output);
        Assert.Contains("ImagePullFailed", error);
        Assert.Contains("manifest unknown", error);
        Assert.Equal("Error", (await FindAsync("ghost"))?.Status.Phase);
    }

    [Fact]
    public async Task Run_MissingImageWithRm_Exits125AndDeletesTheIsle()
    {
        var (exit, _, error) = await RunAsync("--rm", "--name", "ghost", "localhost:5000/nope:1");

        Assert.Equal(125, exit);
        Assert.Contains("ImagePullFailed", error);
        Assert.Null(await FindAsync("ghost"));
    }

    [Theory]
    [InlineData(true, 127, "CommandNotFound")]
    [InlineData(false, 126, "CommandNotExecutable")]
    public async Task Run_CommandCannotBeExecuted_ExitsAsAShell(bool notFound, int code, string reason)
    {
        _d.Runtime.StartFault = (_, _) => new IsleCommandException("start isle: execve /bin/nope: ENOENT (No such file or directory)", notFound);

        var (exit, _, error) = await RunAsync("--rm", "--name", "nope", "--rootfs", "/srv/rootfs/busybox", "--", "/bin/nope");

        Assert.Equal(code, exit);
        Assert.Contains(reason, error);
        Assert.Contains("execve /bin/nope", error);
    }

    [Fact]
    public async Task Run_MissingNetwork_Exits125AndLeavesNothing()
    {
        var (exit, _, error) = await RunAsync("--name", "lonely", "--network", "nowhere", "--rootfs", "/srv/rootfs/busybox", "--", "sh");

        Assert.Equal(125, exit);
        Assert.Contains("network nowhere", error);
        Assert.Null(await FindAsync("lonely"));
    }

    [Theory]
    [InlineData("--memory", "64Q")]
    [InlineData("--cpus", "lots")]
    [InlineData("--publish", "80")]
    [InlineData("--volume", "data:/data")]
    [InlineData("--restart", "sometimes")]
    [InlineData("--name", "Not_A_Label")]
    [InlineData("--storage-opt", "size=lots")]
    [InlineData("--storage-opt", "dm.basesize=1G")]
    [InlineData("--pids-limit", "-2")]
    [InlineData("--security-opt", "apparmor=unconfined")]
    public async Task Run_BadFlag_Exits125NamingTheFlag(string flag, string value)
    {
        var (exit, _, error) = await RunAsync(flag, value, "--network", "backend", "--rootfs", "/srv/rootfs/busybox", "--", "sh");

        Assert.Equal(125, exit);
        Assert.Contains(flag, error);
        Assert.Empty(_d.Runtime.Names);
    }

    [Theory]
    [InlineData("--stop-timeout", "99999999999", "a whole number of seconds")]
    [InlineData("--stop-timeout", "-1", "a whole number of seconds")]
    [InlineData("--cpu-shares", "lots", "a whole number")]
    [InlineData("--pids-limit", "99999999999999999999", "a whole number of tasks")]
    public async Task Run_NumberFlagNotANumber_SaysWhatTheFlagTakes(string flag, string value, string takes)
    {
        var (exit, _, error) = await RunAsync(flag, value, "--rootfs", "/srv/rootfs/busybox", "--", "sh");

        Assert.NotEqual(0, exit); // a parse error, as for an unknown flag
        Assert.Contains($"{flag} takes {takes}", error);
        Assert.DoesNotContain("System.", error); // System.CommandLine's own message names a .NET type
        Assert.Empty(_d.Runtime.Names);
    }

    [Theory]
    [InlineData("-it")]
    [InlineData("-t")]
    public async Task Run_TtyWithoutATerminal_Exits1AndMakesNothing(params string[] flags)
    {
        // The test's stdin is not a terminal: Docker's words, before any isle exists.
        Assert.SkipUnless(Console.IsInputRedirected, "the tests' stdin is a terminal here");
        var (exit, _, error) = await RunAsync([.. flags, "--rootfs", "/srv/rootfs/busybox", "--", "sh"]);

        Assert.Equal(1, exit);
        Assert.Contains("the input device is not a TTY", error);
        Assert.Empty(_d.Runtime.Names);
    }

    [Theory]
    [InlineData("--no-daemon", "-d")]
    [InlineData("--rm", "-d")]
    [InlineData("--rm", "--restart", "always")]
    public async Task Run_UnsupportedCombination_Exits125(params string[] flags)
    {
        var (exit, _, error) = await RunAsync([.. flags, "--rootfs", "/srv/rootfs/busybox", "--", "sh"]);

        Assert.Equal(125, exit);
        Assert.StartsWith("error: ", error);
        Assert.Empty(_d.Runtime.Names);
    }

    [Fact]
    public async Task Run_NoImageNorRootfs_SaysWhatToRun()
    {
        var (exit, _, error) = await RunAsync();

        Assert.Equal(125, exit);
        Assert.Contains("islanderctl run IMAGE", error);
    }

    [Fact]
    public async Task Run_DaemonNotRunning_SaysSoAndMentionsNoDaemon()
    {
        await _d.StopAsync();

        var (exit, _, error) = await RunAsync("--rootfs", "/srv/rootfs/busybox", "--", "sh");

        Assert.Equal(125, exit);
        Assert.Contains("cannot connect to islanderd", error);
        Assert.Contains("--no-daemon", error);
    }

    [Fact]
    public async Task Run_Interrupted_StopsAndDeletesTheIsle()
    {
        using var interrupt = new CancellationTokenSource();
        var run = DaemonFixture.CtlAsync(["run", "--name", "long", "--rootfs", "/srv/rootfs/busybox", "--", "sleep", "1000"], _d.Socket, interrupt.Token);
        await _d.WaitAsync(() => _d.Runtime.IsRunning("long"), Timeout, "long to run");

        await interrupt.CancelAsync(); // what Ctrl-C does to the command
        var (exit, _, error) = await run;

        Assert.True(exit == 130, error);
        Assert.Contains("interrupted", error);
        await _d.WaitAsync(() => !_d.Runtime.Names.Contains("long"), Timeout, "long to be deleted");
    }
}
