using System.Runtime.InteropServices;

namespace Islander.Drivers.Interop;

/// <summary>setpriority(2) of the calling thread: Linux keeps a nice value per thread.</summary>
internal static partial class PriorityInterop
{
    const int PRIO_PROCESS = 0;

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int prio);

    /// <summary>Sets the calling thread's nice value (raising it needs no privilege); false when the kernel refuses.</summary>
    public static bool NiceThisThread(int nice) => SetPriority(PRIO_PROCESS, GetTid(), nice) == 0;
}
