using System.Threading.Channels;
using Islander.Drivers.Interop;
using Islander.Model;
using Microsoft.Win32.SafeHandles;

namespace Islander.Drivers.Runtime;

/// <summary>Exec: isle-init in exec mode (TAG_EXEC_PID), which stays the exec'd process's parent until it ends.</summary>
public sealed partial class LinuxProcessLauncher
{
    const int PumpPollMs = 100;
    static readonly TimeSpan LingeringOutput = TimeSpan.FromSeconds(1);

    public async Task<ExecResult> ExecAsync(ExecConfig config, Func<int, CancellationToken, ValueTask> beforeStart, ExecOutput output, ExecStarted? started, CancellationToken ct)
    {
        var configBytes = InitConfigEncoder.EncodeExec(config);
        if (!File.Exists(IsleInitPath))
            throw new IslanderException($"isle-init not found at {IsleInitPath}: it is built with Islander.Drivers and copied next to it", ErrorCategory.NotFound);
        ct.ThrowIfCancellationRequested();
        int controlRead = -1, controlWrite = -1, reportRead = -1, reportWrite = -1, outRead = -1, outWrite = -1, errRead = -1, errWrite = -1;
        int inRead = -1, inWrite = -1, consoleDaemon = -1, consoleChild = -1;
        SafeFileHandle? master = null;
        ExecInput? input = null;
        int launcher = -1;
        try
        {
            (controlRead, controlWrite) = PipeInterop.Create(ConsoleFd + 1);
            (reportRead, reportWrite) = PipeInterop.Create(ConsoleFd + 1);
            List<SpawnInterop.FdAction> fds = [new(ControlFd, controlRead), new(ReportFd, reportWrite)];
            if (config.Tty)
            {
                // isle-init opens the terminal in the isle and sends its master back over this socket.
                (consoleDaemon, consoleChild) = TerminalInterop.SocketPair(ConsoleFd + 1);
                fds.AddRange([new(0, -1, "/dev/null"), new(1, -1, "/dev/null"), new(2, -1, "/dev/null"), new(ConsoleFd, consoleChild)]);
            }
            else
            {
                (outRead, outWrite) = PipeInterop.Create(ConsoleFd + 1);
                (errRead, errWrite) = PipeInterop.Create(ConsoleFd + 1);
                if (config.Stdin)
                    (inRead, inWrite) = PipeInterop.Create(ConsoleFd + 1);
                fds.AddRange([inRead >= 0 ? new(0, inRead) : new(0, -1, "/dev/null"), new(1, outWrite), new(2, errWrite)]);
            }
            launcher = SpawnInterop.Start(IsleInitPath, ["isle-init"], fds);
            Close(ref controlRead);
            Close(ref reportWrite);
            Close(ref outWrite);
            Close(ref errWrite);
            Close(ref inRead);
            Close(ref consoleChild);

            SendToInit(controlWrite, configBytes);
            var reader = new ShimReportReader(reportRead);
            var pid = ExpectExec<ShimReport.Pid>(await reader.ReadLineAsync(ct));
            if (config.Tty)
            {
                // Sent before the PID report: here already. The size is set before the process runs, so it starts
                // with it (stty size, a shell's first prompt).
                master = TerminalInterop.ReceiveFd(consoleDaemon);
                Close(ref consoleDaemon);
                TerminalInterop.SetNonBlocking(master);
                if (config.Size is { } size)
                    TerminalInterop.SetWindowSize(master, size.Rows, size.Cols);
                input = ExecInput.ForTerminal(master, config.Stdin);
            }
            else
            {
                input = ExecInput.ForPipe(inWrite);
                inWrite = -1;
            }
            IsleOomScore.Reset(pid.InitPid); // not the daemon's, which the launcher passed on
            await beforeStart(pid.InitPid, ct);
            ct.ThrowIfCancellationRequested();
            SendToInit(controlWrite, [SyncGo]);
            // The control pipe stays open while the process runs: closing it is how the process is killed.
            ExpectExec<ShimReport.Started>(await reader.ReadLineAsync(ct));
            if (started is not null)
                await started(input, ct);

            var exitLine = reader.ReadLineAsync(CancellationToken.None);
            var chunks = Channel.CreateBounded<(ExecStream, byte[])>(16);
            var exitedAt = new ExitClock();
            _ = exitLine.ContinueWith(_ => exitedAt.Set(), TaskScheduler.Default);
            var pumps = master is not null
                ? Task.Run(() => PumpAsync(master, chunks.Writer, exitedAt), CancellationToken.None)
                : Task.WhenAll(
                    Task.Run(() => PumpAsync(outRead, ExecStream.Stdout, chunks.Writer, exitedAt), CancellationToken.None),
                    Task.Run(() => PumpAsync(errRead, ExecStream.Stderr, chunks.Writer, exitedAt), CancellationToken.None));
            _ = pumps.ContinueWith(_ => chunks.Writer.TryComplete(), TaskScheduler.Default);

            int control = controlWrite;
            controlWrite = -1;
            var kill = new KillSwitch(control);
            using (ct.Register(kill.Fire))
            {
                Exception? failed = null;
                await foreach (var (stream, data) in chunks.Reader.ReadAllAsync(CancellationToken.None))
                {
                    if (failed is not null) continue; // drain, so the pumps end
                    try
                    {
                        await output(stream, data, ct);
                    }
                    catch (Exception e)
                    {
                        failed = e; // the reader went away: the process is killed, it would block on a full pipe
                        kill.Fire();
                    }
                }
                await pumps;
                var line = await exitLine;
                kill.Fire(); // the control pipe is no longer needed
                ct.ThrowIfCancellationRequested();
                if (failed is not null)
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed);
                var exited = ExpectExec<ShimReport.Exited>(line);
                return new ExecResult(exited.Code, exited.Signal);
            }
        }
        finally
        {
            // Closing the control pipe makes isle-init kill the process (or abort before it starts) and exit.
            Close(ref controlRead);
            Close(ref controlWrite);
            Close(ref reportRead);
            Close(ref reportWrite);
            Close(ref outRead);
            Close(ref outWrite);
            Close(ref errRead);
            Close(ref errWrite);
            Close(ref inRead);
            Close(ref inWrite);
            Close(ref consoleDaemon);
            Close(ref consoleChild);
            input?.Dispose();
            master?.Dispose();
            if (launcher > 0)
                WaitInterop.ForExit(launcher);
        }
    }

    /// <summary>Copies one pipe into the channel until EOF, or until the process has been gone for <see cref="LingeringOutput"/>.</summary>
    static async Task PumpAsync(int fd, ExecStream stream, ChannelWriter<(ExecStream, byte[])> chunks, ExitClock exited)
    {
        var buf = new byte[16384];
        string what = stream == ExecStream.Stdout ? "exec stdout pipe" : "exec stderr pipe";
        while (true)
        {
            if (!FileDescriptorInterop.PollReadable(fd, PumpPollMs, what))
            {
                if (exited.Since > LingeringOutput)
                    return; // a background child of the process holds the pipe: its output is not this exec's
                continue;
            }
            int n = FileDescriptorInterop.Read(fd, buf, what);
            if (n == 0)
                return;
            await chunks.WriteAsync((stream, buf[..n]));
        }
    }

    /// <summary>
    /// <see cref="PumpAsync(int, ExecStream, ChannelWriter{ValueTuple{ExecStream, byte[]}}, ExitClock)"/> for a terminal's
    /// master (non-blocking): its end is EIO, once no slave is open.
    /// </summary>
    static async Task PumpAsync(SafeFileHandle master, ChannelWriter<(ExecStream, byte[])> chunks, ExitClock exited)
    {
        var buf = new byte[16384];
        while (true)
        {
            if (!TerminalInterop.Poll(master, write: false, PumpPollMs, "exec terminal"))
            {
                if (exited.Since > LingeringOutput)
                    return;
                continue;
            }
            int n = TerminalInterop.TryRead(master, buf, "exec terminal");
            if (n == 0)
                return;
            if (n > 0)
                await chunks.WriteAsync((ExecStream.Stdout, buf[..n]));
        }
    }

    static T ExpectExec<T>(string? line) where T : ShimReport
    {
        if (line is null)
            throw new IsleExecException("isle-init ended without a report");
        return ShimReport.Parse(line) switch
        {
            T wanted => wanted,
            ShimReport.Error e => throw new IsleExecException(e.Op, e.Path, e.Errno),
            var other => throw new IsleExecException($"isle-init reported {other} out of order"),
        };
    }

    /// <summary>When the exec'd process ended, once it has.</summary>
    sealed class ExitClock
    {
        long _ticks;

        public void Set() => Interlocked.CompareExchange(ref _ticks, Environment.TickCount64, 0);

        public TimeSpan Since => Interlocked.Read(ref _ticks) is var t and > 0 ? TimeSpan.FromMilliseconds(Environment.TickCount64 - t) : TimeSpan.Zero;
    }

    /// <summary>Closes the control pipe once, from whichever thread comes first: isle-init then kills the process.</summary>
    sealed class KillSwitch(int fd)
    {
        int _fd = fd;

        public void Fire()
        {
            int fd = Interlocked.Exchange(ref _fd, -1);
            if (fd >= 0)
                FileDescriptorInterop.Close(fd);
        }
    }
}
