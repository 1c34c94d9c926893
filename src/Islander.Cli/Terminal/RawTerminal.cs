using System.Runtime.InteropServices;

namespace Islander.Cli.Terminal;

/// <summary>
/// islanderctl's terminal in raw mode while an <c>exec -it</c> runs (as <c>docker exec -it</c>'s): every key goes to
/// the isle's terminal as it is typed, Ctrl-C and Ctrl-D included, whose line discipline (not this one) turns them into
/// SIGINT and EOF. The settings are restored however islanderctl ends: <see cref="Dispose"/> (every return and
/// exception), the process exiting, an unhandled exception, and SIGTERM, SIGHUP and SIGQUIT (their default action then
/// goes on). A terminal left raw would echo nothing and ignore Ctrl-C in the user's shell afterwards.
/// </summary>
public sealed class RawTerminal : IDisposable
{
    readonly int _fd;
    readonly byte[] _saved;
    readonly PosixSignalRegistration[] _signals;
    int _restored;

    RawTerminal(int fd, byte[] saved)
    {
        _fd = fd;
        _saved = saved;
        AppDomain.CurrentDomain.ProcessExit += OnExit;
        AppDomain.CurrentDomain.UnhandledException += OnUnhandled;
        _signals = [.. new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }.Select(s => PosixSignalRegistration.Create(s, _ => Restore()))];
    }

    /// <summary>Puts <paramref name="fd"/>'s terminal in raw mode; null when it is not a terminal.</summary>
    public static RawTerminal? Enter(int fd)
    {
        if (TerminalInterop.GetAttributes(fd) is not { } saved)
            return null;
        var raw = new RawTerminal(fd, saved);
        if (!TerminalInterop.SetAttributes(fd, TerminalInterop.MakeRaw(saved)))
        {
            raw.Dispose();
            return null;
        }
        return raw;
    }

    void OnExit(object? sender, EventArgs e) => Restore();

    void OnUnhandled(object? sender, UnhandledExceptionEventArgs e) => Restore();

    /// <summary>Puts the settings back, once.</summary>
    public void Restore()
    {
        if (Interlocked.Exchange(ref _restored, 1) == 0)
            TerminalInterop.SetAttributes(_fd, _saved);
    }

    public void Dispose()
    {
        Restore();
        AppDomain.CurrentDomain.ProcessExit -= OnExit;
        AppDomain.CurrentDomain.UnhandledException -= OnUnhandled;
        foreach (var s in _signals)
            s.Dispose();
    }
}
