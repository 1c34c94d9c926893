using Islander.Drivers.Interop;
using Islander.Drivers.Rootfs;
using Islander.Drivers.Runtime;

namespace Islander.Integration.Tests.Runtime;

/// <summary>
/// One isle on a <see cref="BusyboxRootfs"/>: builds a minimal <see cref="InitConfig"/> (the rootfs
/// bound onto itself so pivot_root has a mount point, and /proc), launches it, and on dispose
/// kills whatever still runs and removes the files.
/// </summary>
sealed class IsleRun : IAsyncDisposable
{
    public const NamespaceFlags DefaultNamespaces =
        NamespaceFlags.Mount | NamespaceFlags.Uts | NamespaceFlags.Ipc | NamespaceFlags.Pid | NamespaceFlags.Network;

    readonly BusyboxRootfs _rootfs = new();

    public IsleRun()
    {
        RunDir = Directory.CreateTempSubdirectory("islander-run-").FullName;
        Stdio = IsleStdio.Log(new IsleLogTarget.JsonFile(LogPath, 10 << 20, 2));
    }

    public LinuxProcessLauncher Launcher { get; } = new();
    public string RunDir { get; }
    public string StatusPath => Path.Combine(RunDir, "status");
    public string LogPath => Path.Combine(RunDir, "log.json");

    /// <summary>Where the isle's output goes; by default stdout and stderr to <see cref="LogPath"/>, through the shim.</summary>
    public IsleStdio Stdio { get; set; }
    public string Rootfs => _rootfs.Path;
    public IsleProcess? Isle { get; private set; }

    public InitConfig Config(params string[] argv) => new()
    {
        Argv = argv,
        Env = ["PATH=/bin"],
        Hostname = "isle-test",
        Rootfs = Rootfs,
        Namespaces = DefaultNamespaces,
        Mounts =
        [
            new MountOp(Rootfs, "", null, MountFlags.Bind | MountFlags.Recursive),
            new MountOp("proc", "proc", "proc", MountFlags.NoSuid | MountFlags.NoExec | MountFlags.NoDev),
        ],
        Capabilities = ulong.MaxValue,
        StatusPath = StatusPath,
    };

    public async Task<IsleProcess> StartAsync(InitConfig config, Func<int, CancellationToken, ValueTask>? beforeStart = null,
        Func<int, CancellationToken, ValueTask>? beforeExec = null)
    {
        Isle = await Launcher.LaunchAsync(config, Stdio, beforeStart ?? ((_, _) => ValueTask.CompletedTask), Timeout(), beforeExec);
        return Isle;
    }

    public async Task<IsleExitStatus> WaitAsync()
    {
        var status = await Launcher.WaitForExitAsync(Isle!, StatusPath, Timeout());
        Assert.NotNull(status);
        return status;
    }

    /// <summary>Runs the command to its end; returns its status and what it printed.</summary>
    public async Task<(IsleExitStatus Status, string Output)> RunAsync(InitConfig config)
    {
        await StartAsync(config);
        var status = await WaitAsync();
        return (status, Log());
    }

    /// <summary>What the isle wrote to stdout and stderr, in the order the shim read it (the text of the log's entries).</summary>
    public string Log() => string.Concat(JsonFileLog.ReadAll(LogPath).Select(e => e.Log));

    /// <summary>Waits for the shim of a launch that failed or was aborted.</summary>
    public static async Task WaitGoneAsync(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!IsGone(pid))
        {
            Assert.True(DateTime.UtcNow < deadline, $"pid {pid} still runs");
            await Task.Delay(20);
        }
    }

    /// <summary>Exited: no such process, or a zombie.</summary>
    public static bool IsGone(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].TrimStart().StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    static CancellationToken Timeout() =>
        CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token).Token;

    public async ValueTask DisposeAsync()
    {
        if (Isle is not null)
        {
            Launcher.Signal(Isle, 9);
            await Launcher.WaitForExitAsync(Isle, StatusPath, CancellationToken.None);
        }
        Directory.Delete(RunDir, recursive: true);
        _rootfs.Dispose();
    }
}
