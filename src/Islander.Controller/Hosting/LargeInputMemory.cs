namespace Islander.Controller.Hosting;

/// <summary>
/// Gives back the memory a large input took. An idle daemon allocates little, so no full collection comes after a
/// megabytes-large manifest or body: three 7 MB bodies left islanderd at 250 MB RSS for good. After an input this
/// large (rare: real manifests are kilobytes) one aggressive, compacting collection returns it to the kernel; it
/// takes milliseconds on the daemon's small heap.
/// </summary>
public static class LargeInputMemory
{
    /// <summary>Inputs from this size on are followed by a collection.</summary>
    public const long Threshold = 1 << 20;

    public static void Release(long inputBytes)
    {
        if (inputBytes < Threshold) return;
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
