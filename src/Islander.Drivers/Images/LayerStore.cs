using System.Collections.Concurrent;
using Islander.Drivers.Storage;

namespace Islander.Drivers.Images;

/// <summary>
/// Unpacked layers, one directory per layer under ROOT/layers/sha256/DIFFID, shared by every
/// image that has the layer. Each layer is unpacked on its own into a fresh directory (as Docker's
/// overlay2 does), with whiteouts in overlayfs form, so an image's layer directories stack as
/// overlayfs lower dirs. A layer is unpacked into ROOT/layers/tmp and renamed into place only once
/// complete and verified, so a directory under sha256/ is always a whole layer.
/// </summary>
public sealed class LayerStore
{
    readonly string layers, tmp;
    readonly ConcurrentDictionary<Digest, SemaphoreSlim> unpacking = new();

    public LayerStore(string root)
    {
        layers = Path.Combine(root, "layers", Digest.Algorithm);
        tmp = Path.Combine(root, "layers", "tmp");
        HostDirectory.Ensure(Path.Combine(root, "layers"), HostDirectory.Private);
        HostDirectory.Ensure(layers, HostDirectory.Private);
        if (Directory.Exists(tmp))
            Directory.Delete(tmp, recursive: true); // leftovers of unpacks a crash interrupted
        HostDirectory.Ensure(tmp, HostDirectory.Private);
    }

    public string PathOf(Digest diffId) => Path.Combine(layers, diffId.Hex);

    public bool Exists(Digest diffId) => Directory.Exists(PathOf(diffId));

    /// <summary>
    /// Unpacks a layer (plain, gzip or zstd tar) and files it under its diffID. With
    /// <paramref name="expectedDiffId"/> the uncompressed content must hash to it; a layer already
    /// present is not unpacked again.
    /// </summary>
    /// <exception cref="DigestMismatchException">The uncompressed layer is not the one the image config names.</exception>
    public async Task<(Digest DiffId, UnpackResult? Result)> UnpackAsync(Func<Stream> open, Digest? expectedDiffId, UnpackOptions options, CancellationToken ct)
    {
        if (expectedDiffId is { } known && Exists(known))
            return (known, null);
        var gate = expectedDiffId is { } d ? unpacking.GetOrAdd(d, _ => new SemaphoreSlim(1, 1)) : null;
        if (gate is not null)
            await gate.WaitAsync(ct);
        try
        {
            if (expectedDiffId is { } again && Exists(again))
                return (again, null);
            string work = Path.Combine(tmp, Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(work);
            try
            {
                var result = await Task.Run(() =>
                {
                    using var stream = open();
                    return TarUnpacker.Unpack(stream, work, options, ct);
                }, ct);
                if (expectedDiffId is { } expected && result.DiffId != expected)
                    throw new DigestMismatchException("layer (uncompressed)", expected, result.DiffId.ToString());
                string target = PathOf(result.DiffId);
                if (Directory.Exists(target))
                    return (result.DiffId, result);
                Directory.Move(work, target);
                return (result.DiffId, result);
            }
            finally
            {
                if (Directory.Exists(work))
                    Directory.Delete(work, recursive: true);
            }
        }
        finally
        {
            gate?.Release();
        }
    }

    public void Delete(Digest diffId)
    {
        string dir = PathOf(diffId);
        if (!Directory.Exists(dir))
            return;
        // Rename first so a half-deleted layer is never mistaken for a whole one.
        string doomed = Path.Combine(tmp, "rm-" + diffId.Hex);
        Directory.Move(dir, doomed);
        Directory.Delete(doomed, recursive: true);
    }

    public IEnumerable<Digest> All() =>
        Directory.EnumerateDirectories(layers).Select(Path.GetFileName).Select(h => Digest.TryParse("sha256:" + h, out var d) ? d : (Digest?)null)
            .OfType<Digest>();
}
