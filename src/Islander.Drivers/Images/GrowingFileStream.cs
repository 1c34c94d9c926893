using Islander.Drivers.Interop;
using Microsoft.Win32.SafeHandles;

namespace Islander.Drivers.Images;

/// <summary>
/// A read-only view of a file another task is still writing — a layer blob being downloaded into its ingest
/// file — so the layer can be unpacked while it downloads (`tail -f` for the unpacker). The writer reports how
/// far it got (<see cref="Written"/>), then <see cref="Complete"/> or <see cref="Fail"/>; a read past what is on
/// disk blocks until the next report, and the end of the file is the end of the stream only once the writer
/// completed. Reads go by offset, so a download that truncates and starts over (a registry that ignored a Range)
/// only rewrites bytes already read with the same bytes: a blob is content-addressed. Whatever the bytes, the
/// unpacked layer is committed only when its diff_id (the hash of the tar, checked by the unpacker) matches the
/// image config, as when the blob is unpacked after its download.
/// </summary>
internal sealed class GrowingFileStream(string path) : Stream
{
    readonly object _gate = new();
    SafeFileHandle? _file;
    long _position;
    long _reports; // bumped by every report, so a reader that found nothing new waits for the next one
    bool _complete;
    Exception? _failure;

    /// <summary>The writer has written more to the file (possibly still in its write buffer): waiting readers look again.</summary>
    public void Written()
    {
        lock (_gate) { _reports++; Monitor.PulseAll(_gate); }
    }

    /// <summary>The file is whole and flushed: its end is the end of the stream.</summary>
    public void Complete()
    {
        lock (_gate) { _complete = true; Monitor.PulseAll(_gate); }
    }

    /// <summary>The writer gave up: readers get an IOException naming <paramref name="cause"/>.</summary>
    public void Fail(Exception cause)
    {
        lock (_gate) { _failure = cause; Monitor.PulseAll(_gate); }
    }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
            return 0;
        while (true)
        {
            long seen;
            bool complete;
            lock (_gate)
            {
                if (_failure is { } failure)
                    throw new IOException($"{path}: the download stopped: {failure.Message}", failure);
                (seen, complete) = (_reports, _complete);
            }
            _file ??= FileInterop.OpenReadUnlocked(path);
            int n = _file is null ? 0 : RandomAccess.Read(_file, buffer, _position);
            if (n > 0)
            {
                _position += n;
                return n;
            }
            if (complete)
                return 0;
            lock (_gate)
            {
                while (_reports == seen && !_complete && _failure is null)
                    Monitor.Wait(_gate);
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override bool CanRead => true;

    /// <summary>Seekable for the compression sniffing (read 4 bytes, go back); lengths are unknown until the end.</summary>
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException("the file is still growing");

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => throw new NotSupportedException("the end of a growing file is not known yet"),
    };

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _file?.Dispose();
        base.Dispose(disposing);
    }
}
