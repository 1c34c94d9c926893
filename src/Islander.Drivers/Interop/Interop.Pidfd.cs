using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Islander.Drivers.Interop;

/// <summary>
/// pidfd_open(2) and pidfd_send_signal(2): a process handle that cannot be confused with a later
/// process reusing the pid (Linux 5.3+). Works for processes that are not our children.
/// </summary>
internal static partial class PidfdInterop
{
    // The same numbers on every architecture since the 5.x syscall table unification.
    const long SysPidfdSendSignal = 424;
    const long SysPidfdOpen = 434;

    /// <summary>SIGKILL: 9 on every Linux architecture.</summary>
    public const int SIGKILL = 9;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long PidfdOpenNative(long number, int pid, uint flags);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long PidfdSendSignalNative(long number, SafeHandle pidfd, int signal, nint info, uint flags);

    /// <summary>An fd for <paramref name="pid"/>, or null when no such process exists (ESRCH).</summary>
    public static SafeFileHandle? Open(int pid)
    {
        long fd = PidfdOpenNative(SysPidfdOpen, pid, 0);
        if (fd == -1 && Errno.Last == Errno.ESRCH)
            return null;
        Errno.Check(fd, "pidfd_open", $"pid {pid}");
        return new SafeFileHandle((nint)fd, ownsHandle: true);
    }

    /// <summary>False when the process has already exited (ESRCH).</summary>
    public static bool SendSignal(SafeHandle pidfd, int signal)
    {
        long rc = PidfdSendSignalNative(SysPidfdSendSignal, pidfd, signal, 0, 0);
        if (rc == -1 && Errno.Last == Errno.ESRCH)
            return false;
        Errno.Check(rc, "pidfd_send_signal", $"signal {signal}");
        return true;
    }

    /// <summary>A pidfd polls readable once its process has exited.</summary>
    public static bool HasExited(SafeHandle pidfd) => FileDescriptorInterop.PollReadable(pidfd, 0, "pidfd");
}
