using System.Security.Cryptography;
using Islander.Drivers.Storage;

namespace Islander.Drivers.Images;

/// <summary>
/// Content-addressed blobs under ROOT/blobs/sha256/HEX, written only once verified: content is
/// first assembled in ROOT/ingest (where an interrupted download stays to be resumed) and renamed
/// into place when its digest matches, so a blob's presence means its content is right.
/// </summary>
public sealed class ContentStore
{
    readonly string blobs, ingest;

    public ContentStore(string root)
    {
        blobs = Path.Combine(root, "blobs", Digest.Algorithm);
        ingest = Path.Combine(root, "ingest");
        HostDirectory.Ensure(Path.Combine(root, "blobs"), HostDirectory.Private);
        HostDirectory.Ensure(blobs, HostDirectory.Private);
        HostDirectory.Ensure(ingest, HostDirectory.Private);
    }

    public string PathOf(Digest digest) => Path.Combine(blobs, digest.Hex);

    public bool Exists(Digest digest) => File.Exists(PathOf(digest));

    /// <summary>Where a download of <paramref name="digest"/> accumulates (and survives a restart).</summary>
    public string IngestPath(Digest digest) => Path.Combine(ingest, digest.Hex + ".partial");

    /// <summary>Moves a verified ingest file into place (the caller verified it while writing).</summary>
    public void CommitVerified(string partialPath, Digest digest) => File.Move(partialPath, PathOf(digest), overwrite: true);

    /// <summary>Stores bytes after checking they hash to <paramref name="digest"/>.</summary>
    /// <exception cref="DigestMismatchException">The bytes are not that blob; nothing is stored.</exception>
    public void Write(Digest digest, ReadOnlySpan<byte> content)
    {
        var actual = Digest.Of(content);
        if (actual != digest)
            throw new DigestMismatchException($"blob {digest}", digest, actual.ToString());
        if (Exists(digest))
            return;
        string tmp = Path.Combine(ingest, $"{digest.Hex}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(tmp, content.ToArray());
        File.Move(tmp, PathOf(digest), overwrite: true);
    }

    /// <summary>Stores a copy of a file after hashing it: the way archive blobs come in.</summary>
    /// <exception cref="DigestMismatchException">The file is not that blob; nothing is stored.</exception>
    public void Import(Digest digest, string file)
    {
        if (Exists(digest))
            return;
        string tmp = Path.Combine(ingest, $"{digest.Hex}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var source = File.OpenRead(file))
            using (var target = File.Create(tmp))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                byte[] buffer = new byte[1 << 17];
                int n;
                while ((n = source.Read(buffer)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                    target.Write(buffer, 0, n);
                }
                var actual = Digest.FromHash(hash.GetHashAndReset());
                if (actual != digest)
                    throw new DigestMismatchException($"blob {file}", digest, actual.ToString());
            }
            File.Move(tmp, PathOf(digest), overwrite: true);
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    public byte[] Read(Digest digest) => File.ReadAllBytes(PathOf(digest));

    public Stream Open(Digest digest) => new FileStream(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 17);

    public void Delete(Digest digest)
    {
        File.Delete(PathOf(digest));
        File.Delete(IngestPath(digest));
    }

    public IEnumerable<Digest> All() =>
        Directory.EnumerateFiles(blobs).Select(Path.GetFileName).Select(h => Digest.TryParse("sha256:" + h, out var d) ? d : (Digest?)null)
            .OfType<Digest>();
}
