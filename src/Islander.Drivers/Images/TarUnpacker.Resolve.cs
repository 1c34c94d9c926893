using Islander.Drivers.Interop;
using Islander.Model;

namespace Islander.Drivers.Images;

public sealed partial class TarUnpacker
{
    /// <summary>
    /// The real location, under the root, of the directory <paramref name="relative"/> names, with
    /// every symlink on the way followed inside the root (an absolute target restarts at the root,
    /// '..' stops at it): RESOLVE_IN_ROOT done with lstat and readlink. Missing directories are
    /// created (mode 0755, as Docker does) when <paramref name="create"/> is set; otherwise the
    /// returned path may not exist. A component that is neither directory nor symlink is an error.
    /// </summary>
    string ResolveInRoot(string relative, bool create, string entryName)
    {
        if (relative.Length == 0)
            return root;
        if (resolvedDirs.TryGetValue(relative, out var cached))
            return cached;

        var done = new List<string>();
        var pending = new Stack<string>(relative.Split('/').Reverse());
        int links = 0;
        bool missing = false;
        while (pending.Count > 0)
        {
            string part = pending.Pop();
            if (part is "" or ".")
                continue;
            if (part == "..")
            {
                if (done.Count > 0)
                    done.RemoveAt(done.Count - 1);
                continue;
            }
            string candidate = Join(done, part);
            var kind = missing ? FileKind.Missing : FileInterop.Lstat(candidate).Kind;
            switch (kind)
            {
                case FileKind.Directory:
                    done.Add(part);
                    break;
                case FileKind.Symlink:
                    if (++links > MaxSymlinks)
                        throw new IslanderException($"layer entry \"{entryName}\": too many levels of symbolic links", ErrorCategory.InvalidManifest);
                    string target = new FileInfo(candidate).LinkTarget ?? "";
                    if (target.StartsWith('/'))
                        done.Clear();
                    foreach (var t in target.Split('/').Reverse())
                        pending.Push(t);
                    break;
                case FileKind.Missing:
                    if (create)
                    {
                        Directory.CreateDirectory(candidate);
                        File.SetUnixFileMode(candidate, (UnixFileMode)0b111_101_101);
                    }
                    else
                        missing = true;
                    done.Add(part);
                    break;
                default:
                    throw new IslanderException(
                        $"layer entry \"{entryName}\": \"{string.Join('/', done.Append(part))}\" is not a directory", ErrorCategory.InvalidManifest);
            }
        }
        string result = done.Count == 0 ? root : $"{root}/{string.Join('/', done)}";
        if (!missing)
            resolvedDirs[relative] = result;
        return result;
    }

    string Join(List<string> done, string part) =>
        done.Count == 0 ? $"{root}/{part}" : $"{root}/{string.Join('/', done)}/{part}";
}
