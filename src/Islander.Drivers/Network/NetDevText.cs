using System.Globalization;

namespace Islander.Drivers.Network;

/// <summary>Parses /proc/PID/net/dev (proc(5)): the interfaces of that process's network namespace and their counters. Pure.</summary>
public static class NetDevText
{
    /// <summary>
    /// Bytes received and sent, summed over every interface but loopback (traffic an isle has with itself is not
    /// network I/O; docker counts the container's endpoints only). Lines after the two header lines look like
    /// <c>  eth0: 1234 12 0 0 0 0 0 0 5678 34 0 0 0 0 0 0</c>: receive bytes is the first number, transmit bytes the ninth.
    /// </summary>
    public static (long Rx, long Tx) Totals(string content)
    {
        long rx = 0, tx = 0;
        foreach (var line in content.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon < 0 || line.AsSpan(0, colon).Trim().SequenceEqual("lo"))
                continue;
            var f = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 9
                && long.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out long r)
                && long.TryParse(f[8], NumberStyles.None, CultureInfo.InvariantCulture, out long t))
            {
                rx += r;
                tx += t;
            }
        }
        return (rx, tx);
    }
}
