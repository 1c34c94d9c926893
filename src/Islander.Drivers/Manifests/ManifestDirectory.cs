using System.IO.Enumeration;
using Islander.Model;

namespace Islander.Drivers.Manifests;

/// <summary>
/// The file rules of a manifests tree, shared by islanderd (its manifests directory, a source's checkout) and by
/// islanderctl validate, which runs without the daemon: which files are manifests, how a tree is listed, how its root
/// is resolved, how a file is read within the size limit.
/// </summary>
public static class ManifestDirectory
{
    /// <summary>
    /// .yaml and .yml files, not dotfiles, not in dot directories (.git), not editor leftovers (vim's .swp and
    /// .swx, emacs' #name# and name~, which end in neither extension anyway).
    /// </summary>
    public static bool IsManifest(string root, string path)
    {
        if (IsHidden(root, path)) return false;
        var name = Path.GetFileName(path);
        return name.EndsWith(".yaml", StringComparison.Ordinal) || name.EndsWith(".yml", StringComparison.Ordinal);
    }

    /// <summary>
    /// A dotfile, a file in a dot directory (.git), or an editor's leftover (emacs' #name# and name~): never part of
    /// what the tree defines.
    /// </summary>
    public static bool IsHidden(string root, string path) =>
        path.EndsWith('~') || Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.') || part.StartsWith('#'));

    /// <summary>
    /// The manifests under <paramref name="root"/>, sorted (ordinal), so scans are reproducible. A subdirectory that
    /// cannot be listed throws rather than being skipped: a listing without it would prune what its files define.
    /// A symbolic link to a directory is descended into unless it leads back to a directory on its own path (a loop).
    /// </summary>
    /// <exception cref="IOException">The directory or a subdirectory cannot be listed.</exception>
    /// <exception cref="UnauthorizedAccessException">The same, for lack of permission.</exception>
    public static IReadOnlyList<string> List(string root)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = FileAttributes.Hidden };
        var files = new FileSystemEnumerable<string>(root, (ref FileSystemEntry e) => e.ToFullPath(), options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory,
            ShouldRecursePredicate = (ref FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0 || !IsLoop(e.ToFullPath()),
        };
        return files.Where(p => IsManifest(root, p)).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Whether the directory link at <paramref name="link"/> leads to itself or to a directory above it.</summary>
    static bool IsLoop(string link)
    {
        var target = RealPath(link) + "/";
        var parent = RealPath(Path.GetDirectoryName(link)!) + "/";
        return parent.StartsWith(target, StringComparison.Ordinal);
    }

    /// <summary>
    /// <paramref name="path"/> made absolute with every symbolic link in it resolved (realpath(3)), so a tree is read
    /// from the directory its root named at one moment, whatever the links do afterwards. Components that do not
    /// exist are kept as they are. ".." applies to where the links led, as the kernel does, not to the text of the path
    /// (which <see cref="Path.GetFullPath(string)"/> would fold first).
    /// </summary>
    /// <exception cref="IOException">More than 40 links on the way (ELOOP's limit): a loop.</exception>
    public static string RealPath(string path)
    {
        var pending = new Stack<string>((Path.IsPathRooted(path) ? path : Path.Join(Directory.GetCurrentDirectory(), path)).Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var current = "/";
        int links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }
            var next = Path.Join(current, part);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > 40) throw new IOException($"{path}: too many levels of symbolic links");
            if (target.StartsWith('/')) current = "/";
            foreach (var t in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) pending.Push(t);
        }
        return current;
    }

    /// <summary>
    /// The text of the manifest at <paramref name="path"/>, or null when it is larger than
    /// <see cref="ManifestLimits.MaxFileBytes"/> (<paramref name="size"/> then says how large): the size is checked
    /// before reading, and the read stops at the limit should the file grow meanwhile, so a 50 MB file is never held
    /// in memory.
    /// </summary>
    public static string? Read(string path, out long size) => Read(path, out size, null, out _);

    /// <summary>
    /// <see cref="Read(string, out long)"/>, confined to <paramref name="within"/> when it is not null: the file opened
    /// must be beneath that (resolved) directory, whatever links led to it, or nothing is read and
    /// <paramref name="outside"/> names where it is. The check is of the file opened (its /proc/self/fd link), not of
    /// the path before opening, so a link changed between the check and the read cannot escape. Only a regular file is
    /// opened: anything else (a FIFO would block the read forever) throws <see cref="IOException"/>, as an unreadable file.
    /// </summary>
    public static string? Read(string path, out long size, string? within, out string? outside)
    {
        outside = null;
        // open(2) of a FIFO for reading waits for a writer, forever if none comes: look before opening.
        Interop.FileKind kind;
        try
        {
            kind = Interop.FileInterop.Stat(path).Kind;
        }
        catch (Interop.SyscallException e)
        {
            throw new IOException(e.Message, e); // ELOOP, EACCES: unreadable, as open(2) would say
        }
        if (kind is not (Interop.FileKind.Regular or Interop.FileKind.Missing))
            throw new IOException("not a regular file (a pipe, device or socket named like a manifest is never opened: a pipe would block the reader)");
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
        if (within is not null)
        {
            var opened = new FileInfo($"/proc/self/fd/{file.SafeFileHandle.DangerousGetHandle()}").LinkTarget ?? path;
            if (!opened.StartsWith(within.TrimEnd('/') + "/", StringComparison.Ordinal))
            {
                size = 0;
                outside = opened;
                return null;
            }
        }
        size = file.Length;
        if (size > ManifestLimits.MaxFileBytes) return null;
        var buffer = new MemoryStream((int)size);
        var chunk = new byte[1 << 16];
        int n;
        while ((n = file.Read(chunk)) > 0)
        {
            if (buffer.Length + n > ManifestLimits.MaxFileBytes)
            {
                size = Math.Max(file.Length, buffer.Length + n);
                return null;
            }
            buffer.Write(chunk, 0, n);
        }
        buffer.Position = 0;
        using var reader = new StreamReader(buffer, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }
}
