using Tmds.Linux;

namespace Islander.Drivers.Interop;

/// <summary>
/// pidfd_open(2) and pidfd_send_signal(2): a process handle that cannot be confused with a later
/// process reusing the pid (Linux 5.3+). Works for processes that are not our children.
/// </summary>
internal static class Pidfd
{
    // The same numbers on every architecture since the 5.x syscall table unification.
    const int SysPidfdSendSignal = 424;
    const int SysPidfdOpen = 434;

    /// <summary>An fd for <paramref name="pid"/>, or null when no such process exists (ESRCH).</summary>
    public static int? Open(int pid)
    {
        long fd = (ssize_t)LibC.syscall(SysPidfdOpen, pid, 0);
        if (fd == -1 && LibC.errno == LibC.ESRCH)
            return null;
        return (int)Errno.Check(fd, "pidfd_open", $"pid {pid}");
    }

    /// <summary>False when the process has already exited (ESRCH).</summary>
    public static bool SendSignal(int pidfd, int signal)
    {
        long rc = (ssize_t)LibC.syscall(SysPidfdSendSignal, pidfd, signal, 0, 0);
        if (rc == -1 && LibC.errno == LibC.ESRCH)
            return false;
        Errno.Check(rc, "pidfd_send_signal", $"signal {signal}");
        return true;
    }

    /// <summary>A pidfd polls readable once its process has exited.</summary>
    public static bool HasExited(int pidfd) => FileDescriptor.PollReadable(pidfd, 0, "pidfd");
}
