using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Islander.Drivers.Interop;

/// <summary>open(2) of namespace files and setns(2). setns(CLONE_NEWNET) changes only the calling thread.</summary>
internal static partial class SetnsInterop
{
    public const int CLONE_NEWNET = 0x40000000;

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetnsNative(SafeHandle fd, int nstype);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTidNative();

    /// <summary>open({path}, O_RDONLY|O_CLOEXEC), e.g. /proc/PID/ns/net.</summary>
    public static SafeFileHandle OpenNamespace(string path) => FileDescriptorInterop.Open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);

    /// <summary>setns({fd}, {nstype}) for the calling thread only.</summary>
    public static void Setns(SafeHandle fd, int nstype, string what) => Errno.Check(SetnsNative(fd, nstype), "setns", what);

    /// <summary>The calling thread's own network namespace file (/proc/self/task/TID/ns/net).</summary>
    public static string CurrentThreadNetns() => $"/proc/self/task/{GetTidNative()}/ns/net";
}
