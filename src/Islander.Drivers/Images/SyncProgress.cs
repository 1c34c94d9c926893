namespace Islander.Drivers.Images;

/// <summary>An IProgress that reports on the caller's thread, in order (System.Progress posts to the thread pool and may reorder).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
