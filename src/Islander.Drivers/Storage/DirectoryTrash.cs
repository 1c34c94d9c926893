namespace Islander.Drivers.Storage;

/// <summary>
/// Directories removed without waiting for their contents to go, as Docker renames a container's layer to
/// <c>ID-removing</c> before it deletes it: each is renamed at once into a private trash directory beside it (one
/// rename on the same filesystem, so its name is free again at once), and deleted from there by one background task.
/// An isle's delete so no longer waits for an rmdir and an unlink of each file of its writable layer, its logs and its
/// run directory (on a filesystem mounted with <c>discard</c>, each rmdir is a synchronous discard: 0.2 to 0.7 ms).
/// What a daemon that died left in the trash is deleted at the next start (<see cref="EmptyLeftovers"/>).
/// </summary>
/// <param name="root">The trash: a hidden directory (0700) in the directory its entries come from (no isle name starts with a dot).</param>
public sealed class DirectoryTrash(string root)
{
    readonly Lock _lock = new();
    Task _deleting = Task.CompletedTask;
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

    /// <summary>Completes once everything discarded so far is deleted (tests, and <c>run --no-daemon</c> before it exits).</summary>
    public Task DeletedAsync()
    {
        lock (_lock)
            return _deleting;
    }

    void Later(string dir)
    {
        lock (_lock)
            _deleting = _deleting.ContinueWith(_ => Delete(dir), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
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
