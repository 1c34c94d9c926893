using Tmds.Linux;

namespace Islander.Drivers.Interop;

/// <summary>pipe2(2).</summary>
internal static unsafe class Pipe
{
    /// <summary>
    /// A pipe whose both ends are O_CLOEXEC and numbered at least <paramref name="floor"/>, so only
    /// an explicit dup2 hands an end to a child.
    /// </summary>
    public static (int Read, int Write) Create(int floor)
    {
        int* fds = stackalloc int[2];
        Errno.Check(LibC.pipe2(fds, LibC.O_CLOEXEC), "pipe2");
        int read = fds[0], write = fds[1];
        try
        {
            read = FileDescriptor.MoveAbove(read, floor);
        }
        catch (SyscallException)
        {
            FileDescriptor.Close(write);
            throw;
        }
        try
        {
            write = FileDescriptor.MoveAbove(write, floor);
        }
        catch (SyscallException)
        {
            FileDescriptor.Close(read);
            throw;
        }
        return (read, write);
    }
}
