namespace Islander.Drivers.Runtime;

/// <summary>
/// Files that hold an isle's environment (DB_PASSWORD=...): exec.json, the state database. 0600 from the moment they
/// exist: open(O_CREAT, 0600), never a world-readable file that a chmod closes afterwards.
/// </summary>
public static class SecretFile
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes <paramref name="content"/> to a fresh 0600 file next to <paramref name="path"/>, then renames it over the path.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        string tmp = path + ".tmp";
        File.Delete(tmp); // a leftover of a crash would keep its own mode: O_CREAT's mode applies to new files only
        using (var file = new FileStream(tmp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = Mode }))
            file.Write(content);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>
    /// Makes <paramref name="path"/> an empty 0600 file when it is missing, and takes the group's and others' rights
    /// from one an older islander made 0644, so a program that opens it later (LiteDB) writes into a private file.
    /// </summary>
    public static void Ensure(string path)
    {
        using (new FileStream(path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, Share = FileShare.ReadWrite, UnixCreateMode = Mode }))
        {
        }
        if (File.GetUnixFileMode(path) != Mode)
            File.SetUnixFileMode(path, Mode);
    }
}
