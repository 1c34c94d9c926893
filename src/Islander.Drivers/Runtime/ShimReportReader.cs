using System.Text;
using Islander.Drivers.Interop;

namespace Islander.Drivers.Runtime;

/// <summary>Reads isle-init's report lines from the read end of the report pipe.</summary>
internal sealed class ShimReportReader(int fd)
{
    const int PollMs = 100; // how soon a cancellation is noticed while isle-init is busy
    readonly byte[] _buf = new byte[16384];
    int _len;

    /// <summary>The next line without its '\n', or null at EOF (every write end closed).</summary>
    public Task<string?> ReadLineAsync(CancellationToken ct) => Task.Run(() => ReadLine(ct), ct);

    string? ReadLine(CancellationToken ct)
    {
        for (;;)
        {
            int nl = Array.IndexOf(_buf, (byte)'\n', 0, _len);
            if (nl >= 0)
                return Take(nl, nl + 1);
            if (_len == _buf.Length)
                throw new IsleStartException("isle-init report line too long");
            ct.ThrowIfCancellationRequested();
            if (!FileDescriptorInterop.PollReadable(fd, PollMs, "isle-init report pipe"))
                continue;
            int n = FileDescriptorInterop.Read(fd, _buf.AsSpan(_len), "isle-init report pipe");
            if (n == 0)
                return _len > 0 ? Take(_len, _len) : null;
            _len += n;
        }
    }

    string Take(int lineLength, int consumed)
    {
        var line = Encoding.UTF8.GetString(_buf, 0, lineLength);
        Buffer.BlockCopy(_buf, consumed, _buf, 0, _len - consumed);
        _len -= consumed;
        return line;
    }
}
