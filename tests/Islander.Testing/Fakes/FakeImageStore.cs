using Islander.Drivers.Images;
using Islander.Drivers.Runtime;
using Islander.Model;

namespace Islander.Testing.Fakes;

/// <summary>
/// An in-memory image store with a pretend registry: tests put images in the registry (<see cref="Publish"/>) or
/// straight in the store (<see cref="Add"/>), make the registry fail (<see cref="PullFault"/>), and assert on what
/// the store holds. References are normalized as the real store does (<c>busybox</c> = <c>docker.io/library/busybox:latest</c>).
/// </summary>
public sealed class FakeImageStore : IImageStore
{
    readonly object _lock = new();
    readonly Dictionary<string, ImageInfo> _images = new(); // id → image
    readonly Dictionary<string, ImageInfo> _registry = new(); // normalized name → image
    int _next;

    /// <summary>When set, a pull of a reference throws what it returns (null: pull normally).</summary>
    public Func<string, Exception?>? PullFault { get; set; }

    /// <summary>How many pulls reached the pretend registry.</summary>
    public int Pulls { get; private set; }

    /// <summary>An image in the pretend registry under <paramref name="reference"/>, with <paramref name="layers"/> layers.</summary>
    public ImageInfo Publish(string reference, ImageDefaults? config = null, int layers = 2)
    {
        var info = NewImage([Normalize(reference)], config, layers);
        lock (_lock) _registry[Normalize(reference)] = info;
        return info;
    }

    /// <summary>An image already in the store (imported).</summary>
    public ImageInfo Add(string reference, ImageDefaults? config = null, int layers = 1)
    {
        var info = NewImage([Normalize(reference)], config, layers);
        lock (_lock) _images[info.Id] = info;
        return info;
    }

    /// <summary>The layer directories the fake hands out for an image, top first.</summary>
    public static IReadOnlyList<string> LayerDirsOf(ImageInfo image) =>
        image.DiffIds.Reverse().Select(d => "/fake/layers/" + d[7..]).ToList();

    static readonly RegistryClient Endpoints = new(new HttpClient(), RegistryCredentials.None, new RegistryOptions());

    public Task<ImageInfo> PullAsync(string reference, PullOptions options, IProgress<ImageProgress>? progress, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var name = Normalize(reference);
        if (PullFault?.Invoke(reference) is { } fault) return Task.FromException<ImageInfo>(fault);
        lock (_lock)
        {
            Pulls++;
            if (!_registry.TryGetValue(name, out var image))
                return Task.FromException<ImageInfo>(new RegistryException(ImageReference.Parse(reference).Registry, "manifest", System.Net.HttpStatusCode.NotFound,
                    "MANIFEST_UNKNOWN", "manifest unknown"));
            foreach (var layer in image.DiffIds) progress?.Report(new ImageProgress(layer[7..19], ImageProgressPhase.Complete, 10, 10));
            // Where the real store records the pull came from: the registry's own endpoint (this fake has no mirrors).
            image = image with { PulledFrom = Endpoints.Endpoints(ImageReference.Parse(reference), options.Insecure)[^1].Url };
            _images[image.Id] = image;
            return Task.FromResult(image);
        }
    }

    public Task<ImageInfo> ImportAsync(string tarballPath, string? name, IProgress<ImageProgress>? progress, CancellationToken ct)
    {
        if (!File.Exists(tarballPath)) throw new IslanderException($"{tarballPath}: no such file", ErrorCategory.NotFound);
        var info = NewImage(name is null ? [] : [Normalize(name)], null, 1);
        lock (_lock) _images[info.Id] = info;
        return Task.FromResult(info);
    }

    public IReadOnlyList<ImageInfo> List() { lock (_lock) return _images.Values.ToList(); }

    public ImageInfo Inspect(string reference) { lock (_lock) return Find(reference); }

    public string Remove(string reference, Func<string, bool> inUse)
    {
        lock (_lock)
        {
            var image = Find(reference);
            if (inUse(image.Id)) throw new IslanderException($"image {reference} is used by an isle; delete the isle first", ErrorCategory.Conflict);
            _images.Remove(image.Id);
            return image.Id;
        }
    }

    public ResolvedImage Resolve(string reference)
    {
        lock (_lock)
        {
            var image = Find(reference);
            return new ResolvedImage(image.Id, LayerDirsOf(image), image.Config);
        }
    }

    ImageInfo Find(string reference)
    {
        if (_images.TryGetValue(reference, out var byId)) return byId;
        var name = ImageReference.TryParse(reference, out var parsed) ? parsed.ToString() : reference;
        return _images.Values.FirstOrDefault(i => i.Names.Contains(name))
            ?? throw new IslanderException($"image {reference} not found; pull or import it first", ErrorCategory.NotFound);
    }

    ImageInfo NewImage(IReadOnlyList<string> names, ImageDefaults? config, int layers)
    {
        int n = Interlocked.Increment(ref _next);
        return new ImageInfo
        {
            Id = $"sha256:{n:x64}",
            Names = names,
            DiffIds = Enumerable.Range(0, layers).Select(l => $"sha256:{n * 100 + l:x64}").ToList(),
            Added = DateTimeOffset.UnixEpoch,
            Architecture = "amd64",
            Config = config ?? ImageDefaults.None,
        };
    }

    static string Normalize(string reference) => ImageReference.Parse(reference).ToString();
}
