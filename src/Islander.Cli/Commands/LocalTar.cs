using System.Formats.Tar;
using Islander.Cli.Api;

namespace Islander.Cli.Commands;

/// <summary>
/// The local side of <c>islanderctl cp</c>: a tar of a local file, link or directory tree (links copied as links, never
/// followed), and the extraction of an isle's tar here, which refuses what could write outside the destination (an
/// absolute name, <c>..</c>, a path through a symbolic link, even one the same tar made).
/// </summary>
public static class LocalTar
{
    /// <summary>Writes <paramref name="path"/> to <paramref name="output"/>, its top entry named <paramref name="name"/>.</summary>
    public static async Task WriteAsync(string path, string name, Stream output, CancellationToken ct)
    {
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await AddAsync(writer, path, name, ct);
    }

    static async Task AddAsync(TarWriter writer, string path, string name, CancellationToken ct)
    {
        await writer.WriteEntryAsync(path, name, ct); // lstat: a link is written as the link
        if (Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null)
            foreach (var child in Directory.EnumerateFileSystemEntries(path).Order(StringComparer.Ordinal))
                await AddAsync(writer, child, name + "/" + Path.GetFileName(child), ct);
    }

    /// <summary>
    /// Unpacks <paramref name="tar"/> into the directory <paramref name="into"/>, the top entry renamed to
    /// <paramref name="rename"/> when that is not empty (docker cp's copy to a new name).
    /// </summary>
    public static async Task ExtractAsync(Stream tar, string into, string rename, CancellationToken ct)
    {
        await using var reader = new TarReader(tar, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
        {
            var parts = entry.Name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
            if (entry.Name.StartsWith('/') || parts.Contains(".."))
                throw new ClientException($"the isle's tar has an entry {entry.Name} outside its top directory: refused", "InvalidData");
            if (parts.Count == 0) continue;
            if (rename.Length > 0) parts[0] = rename;
            string target = into;
            for (int i = 0; i < parts.Count - 1; i++)
            {
                target = Path.Combine(target, parts[i]);
                if (new FileInfo(target).LinkTarget is not null)
                    throw new ClientException($"the isle's tar writes {entry.Name} through the symbolic link {target}: refused", "InvalidData");
                Directory.CreateDirectory(target);
            }
            target = Path.Combine(target, parts[^1]);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (new FileInfo(target).LinkTarget is not null)
                        throw new ClientException($"the isle's tar writes the directory {entry.Name} over the symbolic link {target}: refused", "InvalidData");
                    Directory.CreateDirectory(target);
                    File.SetUnixFileMode(target, entry.Mode);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.SymbolicLink:
                    if (File.Exists(target) || new FileInfo(target).LinkTarget is not null)
                        File.Delete(target); // the link itself, never what it points to
                    if (entry.EntryType == TarEntryType.SymbolicLink)
                        File.CreateSymbolicLink(target, entry.LinkName); // a name, as in the isle: never followed here
                    else
                        await entry.ExtractToFileAsync(target, overwrite: false, ct);
                    break;
                default:
                    break; // devices and FIFOs are not made here, as docker cp run by a user
            }
        }
    }
}
