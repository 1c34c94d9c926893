using Microsoft.Win32.SafeHandles;
using Islander.Drivers.Interop;

namespace Islander.Drivers.Network.Netlink;

/// <summary>
/// A NETLINK_ROUTE socket: sends one request at a time with NLM_F_ACK and a fresh sequence number,
/// and reads until the matching ACK, error or NLMSG_DONE. A socket stays bound to the network
/// namespace it was created in, whichever thread later uses it. Not thread-safe: one request at a time.
/// </summary>
public sealed class RtnlSocket : IDisposable
{
    readonly byte[] _receive = new byte[64 * 1024];
    readonly SafeFileHandle _fd;
    readonly uint _portId;
    uint _seq;

    RtnlSocket(SafeFileHandle fd, uint portId, uint seq)
    {
        _fd = fd;
        _portId = portId;
        _seq = seq;
    }

    /// <summary>Opens a socket in the calling thread's network namespace.</summary>
    public static RtnlSocket Open() => Open(NetlinkInterop.NETLINK_ROUTE);

    /// <summary>A socket of another netlink {protocol} (NETLINK_NETFILTER), with the same request/answer discipline.</summary>
    public static RtnlSocket Open(int protocol)
    {
        var (fd, port) = NetlinkInterop.Open(protocol);
        return new RtnlSocket(fd, port, (uint)Environment.TickCount);
    }

    /// <summary>Sends a request and waits for its ACK; throws <see cref="NetlinkException"/> naming {op}.</summary>
    public void Execute(byte[] request, string op)
    {
        Exchange(request, op, null);
    }

    /// <summary>Sends a request that answers with messages (a get, or a dump with NLM_F_DUMP) and collects them.</summary>
    public List<NetlinkMessage> Query(byte[] request, string op)
    {
        var answers = new List<NetlinkMessage>();
        Exchange(request, op, answers);
        return answers;
    }

    /// <summary>
    /// Sends requests that each ask for an ACK in one datagram, which the kernel carries out in order (as iproute2's
    /// <c>-batch</c> does), and reads their ACKs together: one round trip instead of one each. The kernel goes on with
    /// the next request after a failed one; the first failure is thrown, naming its op. A failure whose
    /// <c>Ignore</c> says it is fine (e.g. EEXIST for "already there") is not one.
    /// </summary>
    public void ExecuteAll(IReadOnlyList<(byte[] Request, string Op, Func<NetlinkException, bool>? Ignore)> requests)
    {
        ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
        if (requests.Count == 0)
            return;
        var batch = new byte[requests.Sum(r => r.Request.Length)];
        uint first = _seq + 1;
        int at = 0;
        foreach (var (request, op, _) in requests)
        {
            if ((System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(request.AsSpan(6)) & (ushort)NetlinkFlags.Ack) == 0)
                throw new ArgumentException($"{op}: a batched request must ask for an ACK", nameof(requests));
            request.CopyTo(batch, at);
            NetlinkMessageBuilder.SetSequence(batch.AsSpan(at), ++_seq);
            at += request.Length;
        }
        NetlinkInterop.Send(_fd, batch);
        var acked = new bool[requests.Count];
        int pending = requests.Count;
        NetlinkException? failure = null;
        while (pending > 0)
        {
            int n = NetlinkInterop.Receive(_fd, _receive);
            foreach (var m in NetlinkMessage.Split(_receive.AsMemory(0, n).ToArray()))
            {
                uint i = unchecked(m.Sequence - first);
                if (i >= (uint)requests.Count || acked[i] || (m.PortId != _portId && m.PortId != 0) || m.Type != NetlinkMessageType.Error)
                    continue; // stale answers to an earlier request
                acked[i] = true;
                pending--;
                var (errno, text) = m.ReadError();
                if (errno == 0 || failure is not null)
                    continue;
                var e = new NetlinkException(requests[(int)i].Op, errno, text);
                if (requests[(int)i].Ignore?.Invoke(e) != true)
                    failure = e;
            }
        }
        if (failure is not null)
            throw failure;
    }

    void Exchange(byte[] request, string op, List<NetlinkMessage>? answers)
    {
        ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
        uint seq = ++_seq;
        NetlinkMessageBuilder.SetSequence(request, seq);
        bool dump = (System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(request.AsSpan(6)) & (ushort)NetlinkFlags.Dump) == (ushort)NetlinkFlags.Dump;
        bool wantsAck = (System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(request.AsSpan(6)) & (ushort)NetlinkFlags.Ack) != 0;
        NetlinkInterop.Send(_fd, request);
        while (true)
        {
            int n = NetlinkInterop.Receive(_fd, _receive);
            foreach (var m in NetlinkMessage.Split(_receive.AsMemory(0, n).ToArray()))
            {
                // Stale answers to an earlier request that timed out or threw are skipped.
                if (m.Sequence != seq || (m.PortId != _portId && m.PortId != 0))
                    continue;
                switch (m.Type)
                {
                    case NetlinkMessageType.Error:
                        var (errno, text) = m.ReadError();
                        if (errno != 0)
                            throw new NetlinkException(op, errno, text);
                        return;
                    case NetlinkMessageType.Done:
                        return;
                    case NetlinkMessageType.Noop:
                        continue;
                    default:
                        answers?.Add(m);
                        // A plain get answers with one message and no ACK unless asked for.
                        if (!dump && !wantsAck && (m.Flags & NetlinkFlags.Multi) == 0)
                            return;
                        break;
                }
            }
        }
    }

    public void Dispose() => _fd.Dispose();
}
