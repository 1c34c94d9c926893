using System.Runtime.InteropServices;

namespace Islander.Drivers.Interop;

/// <summary>open(2) of namespace files and setns(2). setns(CLONE_NEWNET) changes only the calling thread.</summary>
internal static partial class SetnsInterop
{
    public const int CLONE_NEWNET = 0x40000000;
    const int O_RDONLY = 0;
    const int O_CLOEXEC = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetnsNative(int fd, int nstype);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseNative(int fd);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTidNative();

    /// <summary>open({path}, O_RDONLY|O_CLOEXEC), e.g. /proc/PID/ns/net.</summary>
    public static int OpenNamespace(string path)
    {
        int fd = OpenNative(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            throw new SyscallException("open", path, Marshal.GetLastPInvokeError());
        return fd;
    }

    /// <summary>setns({fd}, {nstype}) for the calling thread only.</summary>
    public static void Setns(int fd, int nstype, string what)
    {
        if (SetnsNative(fd, nstype) != 0)
            throw new SyscallException("setns", what, Marshal.GetLastPInvokeError());
    }

    /// <summary>The calling thread's own network namespace file (/proc/self/task/TID/ns/net).</summary>
    public static string CurrentThreadNetns() => $"/proc/self/task/{GetTidNative()}/ns/net";

    public static void Close(int fd) => CloseNative(fd);
}
