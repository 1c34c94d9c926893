using System.Collections.Concurrent;
using Islander.Drivers.Storage;
using Islander.Model;

namespace Islander.Drivers.Images;

/// <summary>
/// <see cref="IImageStore"/> on the local disk, under STATE/images:
/// <code>
/// blobs/sha256/HEX        manifests, configs and layer blobs, content-addressed
/// ingest/HEX.partial      downloads in progress (resumed by the next pull)
/// layers/sha256/DIFFID/   unpacked layers: overlayfs lower dirs, shared between images
/// index.json              images, their names and layers
/// </code>
/// Self-contained: the controller's database is not involved.
/// </summary>
public sealed partial class OciImageStore : IImageStore
{
    readonly string root;
    readonly RegistryClient registry;
    readonly int maxParallelDownloads;
    readonly ContentStore content;
    readonly LayerStore layers;
    readonly ImageIndex index;
    readonly SemaphoreSlim indexLock = new(1, 1);
    /// <summary>Layers and blobs of pulls and imports not yet recorded in the index: garbage collection must spare them.</summary>
    readonly ConcurrentDictionary<string, int> inFlight = new();
    readonly ConcurrentDictionary<Digest, SemaphoreSlim> downloads = new();

    /// <param name="root">The store's directory, e.g. /var/lib/islander/images. One store instance per directory (it clears its temporary directories on start).</param>
    /// <param name="maxParallelDownloads">Layers downloaded at once per pull (Docker: 3).</param>
    public OciImageStore(string root, RegistryClient registry, int maxParallelDownloads = 3)
    {
        this.root = root;
        this.registry = registry;
        this.maxParallelDownloads = Math.Max(1, maxParallelDownloads);
        // 0700 down to every layer: an image's setuid-root files are the host's once unpacked (see HostDirectory).
        HostDirectory.Ensure(root, HostDirectory.Private);
        content = new ContentStore(root);
        layers = new LayerStore(root);
        index = new ImageIndex(root);
        if (Directory.Exists(TmpRoot))
            Directory.Delete(TmpRoot, recursive: true); // imports a crash interrupted
        HostDirectory.Ensure(TmpRoot, HostDirectory.Private);
    }

    public string Root => root;
    string TmpRoot => Path.Combine(root, "tmp");

    public IReadOnlyList<ImageInfo> List() => index.Images.Select(ToInfo).ToList();

    public ImageInfo Inspect(string reference) => ToInfo(Find(reference).Image);

    public ResolvedImage Resolve(string reference)
    {
        var image = Find(reference).Image;
        var dirs = new List<string>(image.Layers.Count);
        for (int i = image.Layers.Count - 1; i >= 0; i--)
        {
            var diffId = Digest.Parse(image.Layers[i].DiffId);
            string dir = layers.PathOf(diffId);
            if (!Directory.Exists(dir))
                throw new IslanderException($"image {reference}: layer {diffId.Short} is missing from {dir}; pull or import the image again", ErrorCategory.NotFound);
            dirs.Add(dir);
        }
        return new ResolvedImage(image.Id, dirs, Defaults(image.Config));
    }

    public string Remove(string reference, Func<string, bool> inUse)
    {
        indexLock.Wait();
        try
        {
            var (image, byName) = Find(reference);
            if (byName is not null && image.Names.Count > 1)
            {
                index.Put(image with { Names = image.Names.Where(n => n != byName).ToList() });
                return byName;
            }
            if (inUse(image.Id))
                throw new IslanderException(
                    $"image {reference} ({Digest.Parse(image.Id).Short}) is used by an isle; delete the isle first", ErrorCategory.Conflict);
            index.Delete(image.Id);
            CollectGarbage();
            return image.Id;
        }
        finally
        {
            indexLock.Release();
        }
    }

    (ImageRecord Image, string? ByName) Find(string reference) =>
        index.Find(reference) ?? throw new IslanderException($"image {reference} not found; pull or import it first", ErrorCategory.NotFound);

    /// <summary>Deletes layers and blobs no image (and no pull under way) refers to. Called under the index lock.</summary>
    void CollectGarbage()
    {
        var keepLayers = index.Images.SelectMany(i => i.Layers.Select(l => l.DiffId)).ToHashSet();
        var keepBlobs = index.Images.SelectMany(i => i.Blobs).ToHashSet();
        foreach (var diffId in layers.All())
            if (!keepLayers.Contains(diffId.ToString()) && !inFlight.ContainsKey(diffId.ToString()))
                layers.Delete(diffId);
        foreach (var blob in content.All())
            if (!keepBlobs.Contains(blob.ToString()) && !inFlight.ContainsKey(blob.ToString()))
                content.Delete(blob);
    }

    /// <summary>Records an image and points its names at it.</summary>
    async Task<ImageInfo> RecordAsync(ImageRecord record, CancellationToken ct)
    {
        await indexLock.WaitAsync(ct);
        try
        {
            var existing = index.Images.FirstOrDefault(i => i.Id == record.Id);
            if (existing is not null)
                record = record with
                {
                    Names = existing.Names.Union(record.Names).ToList(),
                    RepoDigests = existing.RepoDigests.Union(record.RepoDigests).ToList(),
                    Added = existing.Added,
                    PulledFrom = record.PulledFrom ?? existing.PulledFrom,
                };
            index.Put(record);
            return ToInfo(record);
        }
        finally
        {
            indexLock.Release();
        }
    }

    IDisposable Hold(IEnumerable<string> digests)
    {
        var held = digests.ToList();
        foreach (var d in held)
            inFlight.AddOrUpdate(d, 1, (_, n) => n + 1);
        return new Release(() =>
        {
            foreach (var d in held)
                if (inFlight.AddOrUpdate(d, 0, (_, n) => n - 1) <= 0)
                    inFlight.TryRemove(new KeyValuePair<string, int>(d, 0));
        });
    }

    sealed class Release(Action action) : IDisposable
    {
        public void Dispose() => action();
    }

    internal static ImageDefaults Defaults(OciProcessConfig? c) =>
        c is null ? ImageDefaults.None : new ImageDefaults(c.Entrypoint ?? [], c.Cmd ?? [], c.Env ?? [], NullIfEmpty(c.WorkingDir), NullIfEmpty(c.User));

    static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    static ImageInfo ToInfo(ImageRecord r) => new()
    {
        Id = r.Id,
        Names = r.Names,
        RepoDigests = r.RepoDigests,
        ManifestDigest = r.ManifestDigest,
        Created = r.Created,
        Added = r.Added,
        Os = r.Os,
        Architecture = r.Architecture,
        DiffIds = r.Layers.Select(l => l.DiffId).ToList(),
        Size = r.Layers.Sum(l => l.Size),
        Config = Defaults(r.Config),
        PulledFrom = r.PulledFrom,
        SkippedDevices = r.Layers.SelectMany(l => l.SkippedDevices ?? []).ToList(),
    };

    /// <summary>The device nodes skipped in a layer: from its unpack now, else from an image that has it already.</summary>
    IReadOnlyList<string>? SkippedIn(Digest diffId, UnpackResult? result) =>
        result is not null ? (result.SkippedDeviceNodes.Count > 0 ? result.SkippedDeviceNodes : null)
        : index.Images.SelectMany(i => i.Layers).FirstOrDefault(l => l.DiffId == diffId.ToString())?.SkippedDevices;
}
