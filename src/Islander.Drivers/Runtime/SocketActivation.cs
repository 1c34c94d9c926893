using System.Globalization;
using Islander.Drivers.Interop;

namespace Islander.Drivers.Runtime;

/// <summary>
/// The listening sockets systemd passes a socket-activated service (sd_listen_fds(3)): fds 3 to 3 + <c>$LISTEN_FDS</c>
/// - 1, meant for the process <c>$LISTEN_PID</c> names. Taking them unsets both variables and marks the fds
/// close-on-exec, as <c>sd_listen_fds(1)</c> does: systemd hands them over inheritable, and every isle's shim that
/// islanderd spawns would otherwise hold the API socket open (and a process in an isle could accept on it).
/// </summary>
public static class SocketActivation
{
    /// <summary>SD_LISTEN_FDS_START.</summary>
    public const int FirstFd = 3;

    /// <summary>The fds passed to this process, taken (none when it was not socket-activated).</summary>
    public static IReadOnlyList<int> Take()
    {
        var count = Count(Environment.GetEnvironmentVariable("LISTEN_PID"), Environment.GetEnvironmentVariable("LISTEN_FDS"), Environment.ProcessId);
        Environment.SetEnvironmentVariable("LISTEN_PID", null);
        Environment.SetEnvironmentVariable("LISTEN_FDS", null);
        Environment.SetEnvironmentVariable("LISTEN_FDNAMES", null);
        var fds = Enumerable.Range(FirstFd, count).ToList();
        foreach (var fd in fds) FileDescriptorInterop.SetCloseOnExec(fd);
        return fds;
    }

    /// <summary>How many fds <c>$LISTEN_FDS</c> passes to <paramref name="pid"/>; 0 when the variables are unset, malformed or for another process.</summary>
    public static int Count(string? listenPid, string? listenFds, int pid) =>
        int.TryParse(listenPid, NumberStyles.None, CultureInfo.InvariantCulture, out var forPid) && forPid == pid
        && int.TryParse(listenFds, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : 0;
}
