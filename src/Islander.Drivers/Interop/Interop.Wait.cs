using System.Runtime.InteropServices;

namespace Islander.Drivers.Interop;

/// <summary>waitpid(2) for our own direct children (Tmds.LibC has no waitpid).</summary>
internal static partial class WaitInterop
{
    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int waitpid(int pid, out int status, int options);

    /// <summary>Blocks until child <paramref name="pid"/> ends and returns its raw wait status.</summary>
    public static int ForExit(int pid)
    {
        for (;;)
        {
            int rc = waitpid(pid, out int status, 0);
            if (rc == pid)
                return status;
            int errno = Errno.Last;
            if (errno != Errno.EINTR)
                Errno.Throw(errno, "waitpid", $"pid {pid}");
        }
    }

    public static bool Exited(int status) => (status & 0x7f) == 0;
    public static int ExitCode(int status) => (status >> 8) & 0xff;
    public static int TermSignal(int status) => status & 0x7f;
}
