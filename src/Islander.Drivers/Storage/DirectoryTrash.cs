namespace Islander.Drivers.Storage;

/// <summary>
/// Directories removed without waiting for their contents to go, as Docker renames a container's layer to
/// <c>ID-removing</c> before it deletes it: each is renamed at once into a private trash directory beside it (one
/// rename on the same filesystem, so its name is free again at once), and deleted from there by one background thread.
/// An isle's delete so no longer waits for an rmdir and an unlink of each file of its writable layer, its logs and its
/// run directory (on a filesystem mounted with <c>discard</c>, each rmdir is a synchronous discard: 0.2 to 0.7 ms).
/// What a daemon that died left in the trash is deleted at the next start (<see cref="EmptyLeftovers"/>).
/// </summary>
/// <param name="root">The trash: a hidden directory (0700) in the directory its entries come from (no isle name starts with a dot).</param>
public sealed class DirectoryTrash(string root)
{
    /// <summary>How long the deleting thread waits for more before it ends: a one-shot's delete discards three directories.</summary>
    static readonly TimeSpan Linger = TimeSpan.FromSeconds(2);

    readonly object _lock = new();
    readonly Queue<string> _queue = new();
    bool _threadRuns;
    int _pending; // queued or being deleted
    TaskCompletionSource? _emptied;
    long _count;

    /// <summary>
    /// Renames <paramref name="dir"/> into the trash and deletes it there in the background; deletes it here and now
    /// when the rename fails (another filesystem: a directory mounted over it, say). Nothing to do when it is missing.
    /// </summary>
    public void Discard(string dir)
    {
        if (!Directory.Exists(dir))
            return;
        string target;
        try
        {
            HostDirectory.Ensure(root, HostDirectory.Private);
            // Its path below the trash's own directory, made one name: NAME-fs, NAME.
            string name = Path.GetRelativePath(Path.GetDirectoryName(root)!, dir).Replace('/', '-');
            target = Path.Combine(root, $"{name}.{Environment.ProcessId}.{Interlocked.Increment(ref _count)}");
            Directory.Move(dir, target);
        }
        catch (IOException)
        {
            Directory.Delete(dir, recursive: true);
            return;
        }
        Later(target);
    }

    /// <summary>At startup: deletes, in the background, what an earlier daemon left in the trash.</summary>
    public void EmptyLeftovers()
    {
        if (Directory.Exists(root))
            foreach (var entry in Directory.EnumerateDirectories(root))
                Later(entry);
    }

    /// <summary>Completes once the trash is empty (tests, and <c>run --no-daemon</c> before it exits).</summary>
    public Task DeletedAsync()
    {
        lock (_lock)
            return _pending > 0 ? (_emptied ??= new(TaskCreationOptions.RunContinuationsAsynchronously)).Task : Task.CompletedTask;
    }

    /// <summary>
    /// Queues <paramref name="dir"/> for the deleting thread, started when none runs. A thread of its own, at nice 19:
    /// deleting a large writable layer takes seconds of CPU and I/O that no start or request should wait for. As thread
    /// pool work items the deletes ran on the worker that had discarded the directories, before that worker went on to
    /// send the watchers the isle's DELETED line (3 ms of a one-shot).
    /// </summary>
    void Later(string dir)
    {
        lock (_lock)
        {
            _queue.Enqueue(dir);
            _pending++;
            if (_threadRuns)
            {
                Monitor.Pulse(_lock);
                return;
            }
            _threadRuns = true;
        }
        new Thread(DeleteQueued) { IsBackground = true, Name = "islander trash" }.Start();
    }

    void DeleteQueued()
    {
        Interop.PriorityInterop.NiceThisThread(19);
        bool deleted = false;
        while (true)
        {
            string dir;
            lock (_lock)
            {
                if (deleted && --_pending == 0)
                {
                    _emptied?.TrySetResult();
                    _emptied = null;
                }
                while (_queue.Count == 0)
                {
                    if (!Monitor.Wait(_lock, Linger) && _queue.Count == 0)
                    {
                        _threadRuns = false;
                        return;
                    }
                }
                dir = _queue.Dequeue();
            }
            Delete(dir);
            deleted = true;
        }
    }

    static void Delete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next start's EmptyLeftovers; nothing of an isle depends on it.
        }
    }
}
