using Islander.Drivers.Interop;
using Islander.Model;
using Microsoft.Win32.SafeHandles;

namespace Islander.Drivers.Runtime;

/// <summary>
/// <see cref="IProcessLauncher"/> on Linux with native/isle-init. isle-init is started with
/// posix_spawn (not Process.Start: it must get exactly fds 0-4, then the rootfs mount at 5 and the named volumes' from 6
/// on) and talks over two O_CLOEXEC pipes:
/// fd 3 "control" (config, then SYNC_GO and SYNC_EXEC) and fd 4 "report" (PID, then STARTED or ERROR).
/// </summary>
public sealed partial class LinuxProcessLauncher : IProcessLauncher
{
    // isle-init's inherited fds are 0-4 (FD_CONTROL, FD_REPORT in isle-init.c); ours stay above.
    const int ControlFd = 3;
    const int ReportFd = 4;
    /// <summary>Exec with a terminal: the console socket isle-init sends the master over (FD_CONSOLE; FD_ROOTFS at a start).</summary>
    const int ConsoleFd = 5;

    const byte SyncGo = (byte)'G', SyncExec = (byte)'E'; // SYNC_GO, SYNC_EXEC
    const int AbortGraceMs = 2000;

    /// <param name="isleInitPath">The isle-init binary; default: <see cref="DefaultIsleInitPath"/>.</param>
    public LinuxProcessLauncher(string? isleInitPath = null) => IsleInitPath = isleInitPath ?? DefaultIsleInitPath();

    public string IsleInitPath { get; }

    /// <summary>Where the Debian package installs isle-init: /usr/bin holds commands only (FHS 4.7, lintian's
    /// placement checks), helpers a command runs go under /usr/libexec.</summary>
    public const string PackagedIsleInitPath = "/usr/libexec/islander/isle-init";

    /// <summary>Next to the application, where the build copies isle-init beside every assembly that uses the
    /// drivers; else where the package puts it (islanderd installed as /usr/bin/islanderd).</summary>
    public static string DefaultIsleInitPath()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "isle-init");
        return File.Exists(beside) || !File.Exists(PackagedIsleInitPath) ? beside : PackagedIsleInitPath;
    }

    public async Task<IsleProcess> LaunchAsync(InitConfig config, IsleStdio stdio, Func<int, CancellationToken, ValueTask> beforeStart, CancellationToken ct,
        Func<int, CancellationToken, ValueTask>? beforeExec = null)
    {
        if (stdio is IsleStdio.LogStdio logged)
            config = config with { Log = logged.Target }; // the shim writes it: the daemon is not in the path
        else
            config = config with { Stdin = false, Tty = false, AttachSocket = null }; // the caller's own 0-2: its terminal, as it is
        var configBytes = InitConfigEncoder.Encode(config);
        if (!File.Exists(IsleInitPath))
            throw new IslanderException($"isle-init not found at {IsleInitPath}: it is built with Islander.Drivers and copied next to it", ErrorCategory.NotFound);
        ct.ThrowIfCancellationRequested();
        int controlRead = -1, controlWrite = -1, reportRead = -1, reportWrite = -1, rootfs = -1;
        SafeFileHandle? initPidfd = null;
        var sourceMounts = InitConfigEncoder.SourceFdMounts(config);
        var sources = Enumerable.Repeat(-1, sourceMounts.Count).ToArray();
        // Every copy sits above the fds isle-init gets (0 up to the last source's), so no dup2 overwrites one still to come.
        int floor = InitConfigEncoder.FirstSourceFd + sources.Length;
        bool started = false;
        try
        {
            // Named volumes as detached copies: isle-init attaches them in the isle's namespace without a path into
            // the 0700 volume roots. Opened before anything is spawned, so a volume that is gone fails the start here.
            for (int i = 0; i < sources.Length; i++)
                sources[i] = FileDescriptorInterop.MoveAbove(
                    MountInterop.CloneDetachedDirectory(sourceMounts[i].Source!, sourceMounts[i].Flags.HasFlag(MountFlags.Recursive)), floor);
            (controlRead, controlWrite) = PipeInterop.Create(ReportFd + 1);
            (reportRead, reportWrite) = PipeInterop.Create(ReportFd + 1);
            var actions = new List<SpawnInterop.FdAction>();
            if (stdio is IsleStdio.LogStdio)
            {
                // The shim gives init the write ends of its own pipes as 1 and 2; isle-init itself writes nothing there.
                actions.Add(new(0, -1, "/dev/null"));
                actions.Add(new(1, -1, "/dev/null"));
                actions.Add(new(2, -1, "/dev/null"));
            }
            actions.Add(new(ControlFd, controlRead));
            actions.Add(new(ReportFd, reportWrite));
            if (config.RootfsMountFd >= 0)
            {
                // A copy above the targets, so no action before this one overwrites it.
                rootfs = FileDescriptorInterop.DupAbove(config.RootfsMountFd, floor);
                actions.Add(new(InitConfigEncoder.RootfsMountFd, rootfs));
            }
            for (int i = 0; i < sources.Length; i++)
                actions.Add(new(InitConfigEncoder.FirstSourceFd + i, sources[i]));

            int launcher = SpawnInterop.Start(IsleInitPath, ["isle-init"], actions);
            Close(ref controlRead);
            Close(ref reportWrite);
            Close(ref rootfs);
            CloseAll(sources); // isle-init's now: the daemon keeps no copy of a volume's mount

            int launcherStatus;
            bool sent = false;
            try
            {
                SendToInit(controlWrite, configBytes);
                sent = true;
            }
            finally
            {
                if (!sent)
                    Close(ref controlWrite); // a half-read config: EOF makes isle-init give up
                launcherStatus = WaitInterop.ForExit(launcher); // it only forks the shim and exits
            }
            var reader = new ShimReportReader(reportRead);

            var pid = Expect<ShimReport.Pid>(await reader.ReadLineAsync(ct), launcherStatus);
            initPidfd = PidfdInterop.Open(pid.InitPid);
            // init waits for SYNC_GO, the shim for init: both pids are pinned until we write it.
            ulong initStart = ReadStartTime(pid.InitPid) ?? 0, shimStart = ReadStartTime(pid.ShimPid) ?? 0;

            IsleOomScore.Reset(pid.InitPid); // not the daemon's -500, which isle-init inherited
            await beforeStart(pid.InitPid, ct);
            ct.ThrowIfCancellationRequested();
            if (beforeExec is null)
                SendToInit(controlWrite, [SyncGo, SyncExec]);
            else
            {
                // init makes its root meanwhile.
                SendToInit(controlWrite, [SyncGo]);
                try
                {
                    await beforeExec(pid.InitPid, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Close(ref controlWrite);
                    if (await InitFailureAsync(reader) is { } first)
                        throw first;
                    throw;
                }
                ct.ThrowIfCancellationRequested();
                SendToInit(controlWrite, [SyncExec]);
            }
            Close(ref controlWrite);

            Expect<ShimReport.Started>(await reader.ReadLineAsync(ct), launcherStatus);
            started = true;
            return new IsleProcess(pid.InitPid, pid.ShimPid, DateTimeOffset.UtcNow) { InitStartTime = initStart, ShimStartTime = shimStart };
        }
        finally
        {
            // Closing the control pipe before SYNC_GO or SYNC_EXEC makes init abort, and its shim follows.
            Close(ref controlRead);
            Close(ref controlWrite);
            Close(ref reportRead);
            Close(ref reportWrite);
            Close(ref rootfs);
            CloseAll(sources);
            if (!started && initPidfd is not null)
                EnsureExited(initPidfd);
            initPidfd?.Dispose();
        }
    }

    /// <summary>
    /// Why init failed by itself while the daemon attached its networks (a mount, say), which also takes the network
    /// namespace the attach was using; null when its report is the abort the closed control pipe caused ("wait sync"),
    /// or when none comes in time.
    /// </summary>
    static async Task<IsleStartException?> InitFailureAsync(ShimReportReader reader)
    {
        using var grace = new CancellationTokenSource(AbortGraceMs);
        try
        {
            return await reader.ReadLineAsync(grace.Token) is { } line && ShimReport.Parse(line) is ShimReport.Error { Op: not "wait" } e
                ? new IsleStartException(e.Op, e.Path, e.Errno)
                : null;
        }
        catch (Exception e) when (e is OperationCanceledException or FormatException or IsleStartException)
        {
            return null;
        }
    }

    /// <summary>
    /// A failed launch returns only once init is gone, so the caller can remove its cgroup at
    /// once. init exits by itself after an error or an abort; one stuck longer is killed.
    /// </summary>
    static void EnsureExited(SafeFileHandle pidfd)
    {
        if (FileDescriptorInterop.PollReadable(pidfd, AbortGraceMs, "pidfd"))
            return;
        PidfdInterop.SendSignal(pidfd, PidfdInterop.SIGKILL);
        FileDescriptorInterop.PollReadable(pidfd, AbortGraceMs, "pidfd");
    }

    public async Task<IsleExitStatus?> WaitForExitAsync(IsleProcess isle, string statusPath, CancellationToken ct)
    {
        if (PidfdInterop.Open(isle.ShimPid) is { } pidfd)
        {
            using (pidfd)
            {
                // Checked after pidfd_open, which pins the process: the pid may be someone else's.
                bool ours = isle.ShimStartTime == 0 || ReadStartTime(isle.ShimPid) == isle.ShimStartTime;
                if (ours)
                    await PidfdExitWatcher.Shared.WhenExited(pidfd, ct);
            }
        }
        return ReadExitStatus(statusPath);
    }

    public bool Signal(IsleProcess isle, int signal)
    {
        using var pidfd = PidfdInterop.Open(isle.InitPid);
        if (pidfd is null)
            return false;
        if (isle.InitStartTime != 0 && ReadStartTime(isle.InitPid) != isle.InitStartTime)
            return false; // the isle ended and its pid went to another process
        return PidfdInterop.SendSignal(pidfd, signal);
    }

    public bool IsRunning(IsleProcess isle) =>
        ProcStat.Read(isle.InitPid) is { } stat && !ProcStat.Ended(stat) && (isle.InitStartTime == 0 || ProcStat.StartTime(stat) == isle.InitStartTime);

    public IsleExitStatus? ReadExitStatus(string statusPath)
    {
        string text;
        try
        {
            text = File.ReadAllText(statusPath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        return IsleExitStatus.Parse(text);
    }

    /// <summary>Writes to init's control pipe; EPIPE means isle-init is gone, and its report says why.</summary>
    static void SendToInit(int fd, ReadOnlySpan<byte> data)
    {
        try
        {
            FileDescriptorInterop.WriteAll(fd, data, "isle-init control pipe");
        }
        catch (SyscallException e) when (e.Errno == Errno.EPIPE)
        {
        }
    }

    static T Expect<T>(string? line, int launcherStatus) where T : ShimReport
    {
        if (line is null)
        {
            var how = WaitInterop.Exited(launcherStatus)
                ? $"exit code {WaitInterop.ExitCode(launcherStatus)}"
                : $"signal {WaitInterop.TermSignal(launcherStatus)}";
            throw new IsleStartException($"isle-init ended without a report (launcher {how})");
        }
        return ShimReport.Parse(line) switch
        {
            T wanted => wanted,
            ShimReport.Error e => throw new IsleStartException(e.Op, e.Path, e.Errno),
            var other => throw new IsleStartException($"isle-init reported {other} out of order"),
        };
    }

    static ulong? ReadStartTime(int pid) => ProcStat.Read(pid) is { } stat ? ProcStat.StartTime(stat) : null;

    static void Close(ref int fd)
    {
        FileDescriptorInterop.Close(fd);
        fd = -1;
    }

    static void CloseAll(int[] fds)
    {
        for (int i = 0; i < fds.Length; i++)
            Close(ref fds[i]);
    }
}
