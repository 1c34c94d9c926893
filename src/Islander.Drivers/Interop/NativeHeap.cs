using System.Runtime.InteropServices;

namespace Islander.Drivers.Interop;

/// <summary>glibc's malloc heap (the runtime's and the native libraries' allocations, not the GC's).</summary>
public static partial class NativeHeap
{
    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);

    /// <summary>
    /// malloc_trim(3): gives the free pages of every malloc arena back to the kernel (madvise MADV_DONTNEED), not
    /// only the top of the main heap as free() does. glibc keeps freed memory in per-thread arenas that a burst of
    /// threads grew; without this it stays resident. True if memory was released. Not on musl (no such symbol).
    /// </summary>
    public static bool Trim()
    {
        try { return malloc_trim(0) != 0; }
        catch (EntryPointNotFoundException) { return false; }
    }
}
