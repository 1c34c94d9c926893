using Islander.Drivers.Interop;
using Microsoft.Win32.SafeHandles;

namespace Islander.Drivers.Runtime;

/// <summary>
/// An exec'd process's input as the launcher holds it: the write end of its stdin pipe, or its terminal's master
/// (<see cref="IProcessInput"/>). Both non-blocking: a full pipe or terminal makes <see cref="WriteAsync"/> wait by
/// polling on the thread pool, a short while at a time, never blocked in write(2). The launcher disposes it when the
/// exec ends; a write after that is an IOException, never a write to an fd number reused since.
/// </summary>
sealed class ExecInput : IProcessInput, IDisposable
{
    const int PollMs = 100;
    readonly SafeFileHandle? _stdin;
    readonly SafeFileHandle? _master;
    int _closed;

    readonly bool _acceptsInput;

    ExecInput(SafeFileHandle? stdin, SafeFileHandle? master, bool acceptsInput)
    {
        _stdin = stdin;
        _master = master;
        _acceptsInput = acceptsInput;
    }

    /// <summary>Input into a stdin pipe (its write end, taken over), or none.</summary>
    public static ExecInput ForPipe(int stdinWrite)
    {
        if (stdinWrite < 0)
            return new ExecInput(null, null, false);
        var handle = new SafeFileHandle(stdinWrite, ownsHandle: true);
        TerminalInterop.SetNonBlocking(handle);
        return new ExecInput(handle, null, true);
    }

    /// <summary>Input into a terminal (its master, shared with the output's reader); <paramref name="stdin"/>: whether the client's input goes there.</summary>
    public static ExecInput ForTerminal(SafeFileHandle master, bool stdin) => new(null, master, stdin);

    public bool HasStdin => _acceptsInput && (_stdin ?? _master) is not null;

    public bool HasTerminal => _master is not null;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var target = (_acceptsInput ? _stdin ?? _master : null) ?? throw new IOException("the process has no stdin");
        try
        {
            while (!data.IsEmpty)
            {
                ct.ThrowIfCancellationRequested();
                int n = TerminalInterop.TryWrite(target, data.Span, "exec stdin");
                data = data[n..];
                if (n == 0)
                    await Task.Run(() => TerminalInterop.Poll(target, write: true, PollMs, "exec stdin"), ct);
            }
        }
        catch (SyscallException e)
        {
            throw new IOException($"the process's stdin: {e.Message}", e); // EPIPE: it closed its stdin or ended
        }
        catch (ObjectDisposedException e)
        {
            throw new IOException("the process has ended", e);
        }
    }

    public void CloseInput()
    {
        if (_stdin is not null && Interlocked.Exchange(ref _closed, 1) == 0)
            _stdin.Dispose();
    }

    public void Resize(ushort rows, ushort cols)
    {
        if (_master is null || rows == 0 || cols == 0)
            return;
        try
        {
            TerminalInterop.SetWindowSize(_master, rows, cols);
        }
        catch (ObjectDisposedException)
        {
            // The exec ended meanwhile: nobody to tell.
        }
    }

    public void Dispose() => _stdin?.Dispose(); // the master is the launcher's: it reads it to the end first
}
