using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Islander.Drivers.Interop;

/// <summary>pipe2(2).</summary>
internal static unsafe partial class PipeInterop
{
    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static partial int Pipe2Native(int* fds, int flags);

    /// <summary>
    /// A pipe whose both ends are O_CLOEXEC and numbered at least <paramref name="floor"/>, so only
    /// an explicit dup2 hands an end to a child. Plain fds: the launcher hands them to posix_spawn by number and
    /// closes each in one place.
    /// </summary>
    public static (int Read, int Write) Create(int floor)
    {
        int* fds = stackalloc int[2];
        Errno.Check(Pipe2Native(fds, LibC.O_CLOEXEC), "pipe2");
        int read = fds[0], write = fds[1];
        try
        {
            read = FileDescriptorInterop.MoveAbove(read, floor);
        }
        catch (SyscallException)
        {
            FileDescriptorInterop.Close(write);
            throw;
        }
        try
        {
            write = FileDescriptorInterop.MoveAbove(write, floor);
        }
        catch (SyscallException)
        {
            FileDescriptorInterop.Close(read);
            throw;
        }
        return (read, write);
    }
}
