using Islander.Drivers.Interop;
using Islander.Model;

namespace Islander.Drivers.Images;

public sealed partial class OciImageStore
{
    public async Task<ImageInfo> ImportAsync(string tarballPath, string? name, IProgress<ImageProgress>? progress, CancellationToken ct)
    {
        if (!File.Exists(tarballPath))
            throw new IslanderException($"{tarballPath}: no such file", ErrorCategory.NotFound);
        var named = name is null ? null : ImageReference.Parse(name);
        var kind = await Task.Run(() => ArchiveDetector.Detect(tarballPath), ct);
        if (kind == ArchiveKind.Rootfs)
            return await ImportRootfsAsync(tarballPath, named, progress, ct);

        string work = Path.Combine(TmpRoot, "import-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            progress?.Report(new ImageProgress(Path.GetFileName(tarballPath), ImageProgressPhase.Extracting));
            await Task.Run(() =>
            {
                using var file = File.OpenRead(tarballPath);
                TarUnpacker.Unpack(file, work, UnpackOptions.Archive, ct);
            }, ct);
            var images = kind == ArchiveKind.DockerSave ? await ImportDockerSaveAsync(work, named, progress, ct) : await ImportOciLayoutAsync(work, named, progress, ct);
            if (images.Count == 0)
                throw new IslanderException($"{tarballPath} holds no image for {PlatformSelector.Current.Os}/{PlatformSelector.Current.Architecture}", ErrorCategory.NotFound);
            return images[0];
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    async Task<ImageInfo> ImportRootfsAsync(string tarball, ImageReference? named, IProgress<ImageProgress>? progress, CancellationToken ct)
    {
        string item = Path.GetFileName(tarball);
        progress?.Report(new ImageProgress(item, ImageProgressPhase.Extracting, 0, new FileInfo(tarball).Length));
        var (diffId, result) = await layers.UnpackAsync(() => File.OpenRead(tarball), null, UnpackOptions.Layer, ct);
        using var hold = Hold([diffId.ToString()]);
        // docker import's config: platform and the layer, no process defaults but PATH.
        var config = new OciImageConfig
        {
            Architecture = PlatformSelector.Current.Architecture,
            Os = "linux",
            Created = DateTimeOffset.UtcNow,
            Config = new OciProcessConfig { Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] },
            Rootfs = new OciRootfs { DiffIds = [diffId.ToString()] },
        };
        byte[] configBytes = OciJson.Write(config);
        var configDigest = Digest.Of(configBytes);
        content.Write(configDigest, configBytes);
        var info = await RecordAsync(new ImageRecord
        {
            Id = configDigest.ToString(),
            Names = named is null ? [] : [named.ToString()],
            Blobs = [configDigest.ToString()],
            Layers = [new LayerRecord(diffId.ToString(), null, MediaTypes.OciLayer, result?.TarBytes ?? KnownLayerSize(diffId) ?? 0, SkippedIn(diffId, result))],
            Created = config.Created,
            Added = DateTimeOffset.UtcNow,
            Os = "linux",
            Architecture = config.Architecture,
            Config = config.Config,
        }, ct);
        progress?.Report(new ImageProgress(item, ImageProgressPhase.Done));
        return info;
    }

    async Task<List<ImageInfo>> ImportDockerSaveAsync(string dir, ImageReference? named, IProgress<ImageProgress>? progress, CancellationToken ct)
    {
        var entries = OciJson.ReadDockerSave(File.ReadAllBytes(InArchive(dir, "manifest.json")), "docker save manifest.json");
        var result = new List<ImageInfo>();
        foreach (var entry in entries)
        {
            byte[] configBytes = File.ReadAllBytes(InArchive(dir, entry.Config));
            var names = (named is not null && result.Count == 0 ? [named.ToString()] : (entry.RepoTags ?? []).Select(t => ImageReference.Parse(t).ToString())).ToList();
            var layerFiles = entry.Layers.Select(l => InArchive(dir, l)).ToList();
            result.Add(await AddArchiveImageAsync(configBytes, null, layerFiles, names, progress, ct));
        }
        return result;
    }

    async Task<List<ImageInfo>> ImportOciLayoutAsync(string dir, ImageReference? named, IProgress<ImageProgress>? progress, CancellationToken ct)
    {
        var top = OciJson.ReadIndex(File.ReadAllBytes(InArchive(dir, "index.json")), "OCI layout index.json");
        var result = new List<ImageInfo>();
        foreach (var descriptor in top.Manifests)
        {
            var chosen = descriptor;
            if (MediaTypes.IsIndex(descriptor.MediaType))
                chosen = PlatformSelector.Select(OciJson.ReadIndex(ReadBlob(dir, descriptor), "nested index"), PlatformSelector.Current);
            else if (descriptor.Platform is { } p && (p.Os != PlatformSelector.Current.Os || p.Architecture != PlatformSelector.Current.Architecture))
                continue;
            if (!MediaTypes.IsManifest(chosen.MediaType ?? MediaTypes.OciManifest))
                continue;
            byte[] manifestBytes = ReadBlob(dir, chosen);
            var manifest = OciJson.ReadManifest(manifestBytes, $"manifest {chosen.Digest}");
            if (manifest.Config is null)
                throw new IslanderException($"manifest {chosen.Digest} has no config", ErrorCategory.InvalidManifest);
            byte[] configBytes = ReadBlob(dir, manifest.Config);
            var layerFiles = new List<string>();
            foreach (var layer in manifest.Layers)
            {
                var digest = Digest.Parse(layer.Digest);
                string file = BlobPath(dir, digest);
                content.Import(digest, file); // verifies the digest
                layerFiles.Add(content.PathOf(digest));
            }
            var names = new List<string>();
            if (named is not null && result.Count == 0)
                names.Add(named.ToString());
            else if (NameFromAnnotations(descriptor.Annotations) is { } annotated)
                names.Add(annotated);
            var info = await AddArchiveImageAsync(configBytes, (Digest.Of(manifestBytes), manifestBytes, manifest), layerFiles, names, progress, ct);
            result.Add(info);
        }
        return result;
    }

    /// <summary>containerd writes the full name in io.containerd.image.name; org.opencontainers.image.ref.name is often just a tag.</summary>
    static string? NameFromAnnotations(Dictionary<string, string>? annotations)
    {
        if (annotations is null)
            return null;
        foreach (var key in (string[])["io.containerd.image.name", "org.opencontainers.image.ref.name"])
            if (annotations.TryGetValue(key, out var value) && value is not null && (value.Contains('/') || value.Contains(':')) && ImageReference.TryParse(value, out var r))
                return r.ToString();
        return null;
    }

    async Task<ImageInfo> AddArchiveImageAsync(byte[] configBytes, (Digest Digest, byte[] Bytes, OciManifest Manifest)? manifest,
        List<string> layerFiles, List<string> names, IProgress<ImageProgress>? progress, CancellationToken ct)
    {
        var configDigest = Digest.Of(configBytes);
        var config = OciJson.ReadConfig(configBytes, $"config {configDigest}");
        var diffIds = (config.Rootfs?.DiffIds ?? []).Select(Digest.Parse).ToList();
        if (diffIds.Count != layerFiles.Count)
            throw new IslanderException($"image {configDigest.Short}: {layerFiles.Count} layers but {diffIds.Count} diff_ids in its config", ErrorCategory.InvalidManifest);
        var blobs = new List<string> { configDigest.ToString() };
        content.Write(configDigest, configBytes);
        if (manifest is { } m)
        {
            content.Write(m.Digest, m.Bytes);
            blobs.Add(m.Digest.ToString());
            blobs.AddRange(m.Manifest.Layers.Select(l => l.Digest));
        }
        using var hold = Hold(blobs.Concat(diffIds.Select(d => d.ToString())));
        var layerRecords = new List<LayerRecord>();
        for (int i = 0; i < layerFiles.Count; i++)
        {
            string file = layerFiles[i];
            progress?.Report(new ImageProgress(diffIds[i].Short, ImageProgressPhase.Extracting, 0, new FileInfo(file).Length));
            var (_, result) = await layers.UnpackAsync(() => File.OpenRead(file), diffIds[i], UnpackOptions.Layer, ct);
            progress?.Report(new ImageProgress(diffIds[i].Short, result is null ? ImageProgressPhase.AlreadyExists : ImageProgressPhase.Complete));
            var layer = manifest?.Manifest.Layers[i];
            layerRecords.Add(new LayerRecord(diffIds[i].ToString(), layer?.Digest, layer?.MediaType, result?.TarBytes ?? KnownLayerSize(diffIds[i]) ?? 0, SkippedIn(diffIds[i], result)));
        }
        return await RecordAsync(new ImageRecord
        {
            Id = configDigest.ToString(),
            Names = names,
            ManifestDigest = manifest?.Digest.ToString(),
            Blobs = blobs.Distinct().ToList(),
            Layers = layerRecords,
            Created = config.Created,
            Added = DateTimeOffset.UtcNow,
            Os = config.Os ?? "linux",
            Architecture = config.Architecture ?? "",
            Config = config.Config,
        }, ct);
    }

    static byte[] ReadBlob(string dir, OciDescriptor descriptor)
    {
        var digest = Digest.Parse(descriptor.Digest);
        byte[] bytes = File.ReadAllBytes(BlobPath(dir, digest));
        var actual = Digest.Of(bytes);
        if (actual != digest)
            throw new DigestMismatchException($"blob {digest} in the archive", digest, actual.ToString());
        return bytes;
    }

    static string BlobPath(string dir, Digest digest) => InArchive(dir, $"blobs/sha256/{digest.Hex}");

    /// <summary>A regular file named inside an archive, kept inside the directory it was extracted to.</summary>
    static string InArchive(string dir, string relative)
    {
        // docker save links duplicate layers to each other; a link may not lead out of the archive (to /dev/zero, say,
        // which would be read forever), nor name a fifo (whose read would wait forever) or a directory.
        string? real = FileInterop.RealPath(Path.Combine(dir, LayerPath.Clean(relative)));
        string? realDir = FileInterop.RealPath(dir);
        if (real is null || realDir is null || !real.StartsWith(realDir + "/", StringComparison.Ordinal) || FileInterop.Lstat(real).Kind != FileKind.Regular)
            throw new IslanderException($"image archive: \"{relative}\" is not a file in the archive", ErrorCategory.InvalidManifest);
        return real;
    }
}
