namespace Islander.Testing;

/// <summary>A file system filled to its last block, as an isle without a disk limit fills the one under the state directory.</summary>
public static class FullFileSystem
{
    /// <summary>Writes zeros to <paramref name="path"/> until the file system refuses (ENOSPC), synced, so that nothing is left for anyone.</summary>
    public static void Fill(string path)
    {
        using var f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0); // unbuffered: Dispose has nothing left to write
        var block = new byte[1 << 16];
        try
        {
            while (true) f.Write(block);
        }
        catch (IOException)
        {
            // full: what fits is written
        }
        for (int size = 4096; size > 0; size /= 2)
        {
            try { f.Write(block, 0, size); f.Flush(flushToDisk: true); }
            catch (IOException) { f.SetLength(f.Position); }
        }
    }
}
