using Islander.Model;

namespace Islander.Drivers.Images;

public sealed partial class OciImageStore
{
    public async Task<ImageInfo> PullAsync(string reference, PullOptions options, IProgress<ImageProgress>? progress, CancellationToken ct)
    {
        var named = ImageReference.Parse(reference);
        // A digest names immutable content: when it is here, whole, there is nothing to ask the registry.
        if (named.Digest is not null && index.Find(named.ToString()) is { Image: var local } && local.Layers.All(l => layers.Exists(Digest.Parse(l.DiffId))))
        {
            progress?.Report(new ImageProgress(named.Familiar(), ImageProgressPhase.Done));
            return ToInfo(local);
        }
        progress?.Report(new ImageProgress(named.Familiar(), ImageProgressPhase.Resolving));
        var endpoints = registry.Endpoints(named, options.Insecure);
        var mirrorFailures = new List<string>();
        foreach (var endpoint in endpoints)
        {
            try
            {
                var repo = await registry.OpenAsync(named, endpoint, ct);
                var info = await PullFromAsync(named, repo, endpoint, progress, ct);
                progress?.Report(new ImageProgress(named.Familiar(), ImageProgressPhase.Done));
                return info;
            }
            catch (Exception e) when (endpoint.IsMirror && e is IslanderException or HttpRequestException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                // As dockerd: whatever goes wrong at a mirror (refused, a connect timeout, 5xx, the image unknown
                // there, a broken blob), the next one is asked, and Docker Hub last. What a mirror did download stays: blobs are verified by
                // digest, so a partial download is resumed from the next endpoint and a finished one is kept.
                mirrorFailures.Add($"mirror {endpoint.Url}: {e.Message}");
            }
            catch (IslanderException e) when (mirrorFailures.Count > 0)
            {
                throw new IslanderException($"{e.Message} (after the mirrors failed: {string.Join("; ", mirrorFailures)})", e.Category, e);
            }
        }
        throw new InvalidOperationException("unreachable: the image's own registry is the last endpoint and is not a mirror");
    }

    /// <summary>Pulls <paramref name="named"/> from one endpoint, and records it under its own name (never the mirror's).</summary>
    async Task<ImageInfo> PullFromAsync(ImageReference named, RegistryRepository repo, RegistryEndpoint endpoint, IProgress<ImageProgress>? progress, CancellationToken ct)
    {
        var top = await repo.GetManifestAsync(named.ManifestReference, ct);
        var blobs = new List<string>();
        var manifestDoc = top;
        if (MediaTypes.IsIndex(top.MediaType))
        {
            var chosen = PlatformSelector.Select(OciJson.ReadIndex(top.Content, $"index of {named}"), PlatformSelector.Current);
            manifestDoc = await repo.GetManifestAsync(chosen.Digest, ct);
            if (!MediaTypes.IsManifest(manifestDoc.MediaType))
                throw new IslanderException($"{named}: the index entry for this platform is not an image manifest", ErrorCategory.InvalidManifest);
            content.Write(top.Digest, top.Content);
            blobs.Add(top.Digest.ToString());
        }
        content.Write(manifestDoc.Digest, manifestDoc.Content);
        blobs.Add(manifestDoc.Digest.ToString());

        var manifest = OciJson.ReadManifest(manifestDoc.Content, $"manifest of {named}");
        if (manifest.Config is null)
            throw new IslanderException($"{named}: manifest has no config", ErrorCategory.InvalidManifest);
        var configDigest = Digest.Parse(manifest.Config.Digest);
        byte[] configBytes = content.Exists(configDigest) ? content.Read(configDigest) : await repo.GetSmallBlobAsync(manifest.Config, ct);
        content.Write(configDigest, configBytes);
        blobs.Add(configDigest.ToString());
        var config = OciJson.ReadConfig(configBytes, $"config of {named}");
        var diffIds = (config.Rootfs?.DiffIds ?? []).Select(Digest.Parse).ToList();
        if (diffIds.Count != manifest.Layers.Count)
            throw new IslanderException(
                $"{named}: the manifest lists {manifest.Layers.Count} layers but the config {diffIds.Count} diff_ids", ErrorCategory.InvalidManifest);
        foreach (var layer in manifest.Layers)
            if (!MediaTypes.IsSupportedLayer(layer.MediaType))
                throw new IslanderException($"{named}: layer {layer.Digest} has media type {layer.MediaType}, which islander cannot unpack", ErrorCategory.Unsupported);

        var layerBlobs = manifest.Layers.Select(l => Digest.Parse(l.Digest)).ToList();
        using var hold = Hold(blobs.Concat(layerBlobs.Select(d => d.ToString())).Concat(diffIds.Select(d => d.ToString())));
        using var gate = new SemaphoreSlim(maxParallelDownloads);
        var fetched = await Task.WhenAll(manifest.Layers.Select((layer, i) =>
            FetchLayerAsync(repo, layer, layerBlobs[i], diffIds[i], gate, progress, ct)));

        var record = new ImageRecord
        {
            Id = configDigest.ToString(),
            Names = named.Digest is null ? [named.ToString()] : [],
            // What the name resolved to (an index, for multi-platform images) and the platform's own manifest.
            RepoDigests = new[] { top.Digest, manifestDoc.Digest }.Distinct().Select(d => $"{named.Name}@{d}").ToList(),
            ManifestDigest = manifestDoc.Digest.ToString(),
            Blobs = blobs.Concat(layerBlobs.Select(d => d.ToString())).Distinct().ToList(),
            Layers = manifest.Layers.Select((l, i) => new LayerRecord(diffIds[i].ToString(), l.Digest, l.MediaType, fetched[i].Size, fetched[i].SkippedDevices)).ToList(),
            Created = config.Created,
            Added = DateTimeOffset.UtcNow,
            Os = config.Os ?? "linux",
            Architecture = config.Architecture ?? "",
            Config = config.Config,
            PulledFrom = endpoint.Url,
        };
        return await RecordAsync(record, ct);
    }

    /// <summary>
    /// Downloads (bounded by <paramref name="gate"/>) and unpacks one layer; returns its uncompressed size. Layers
    /// are separate overlay lower dirs, so each unpacks on its own as soon as it comes, in parallel with the others;
    /// and a layer that is downloaded now is unpacked while it downloads, from its growing ingest file
    /// (<see cref="GrowingFileStream"/>), so a pull takes about the longer of the two, not their sum.
    /// </summary>
    async Task<(long Size, IReadOnlyList<string>? SkippedDevices)> FetchLayerAsync(RegistryRepository repo, OciDescriptor layer, Digest blob, Digest diffId, SemaphoreSlim gate,
        IProgress<ImageProgress>? progress, CancellationToken ct)
    {
        string item = blob.Short;
        if (layers.Exists(diffId))
        {
            progress?.Report(new ImageProgress(item, ImageProgressPhase.AlreadyExists, layer.Size, layer.Size));
            return (KnownLayerSize(diffId) ?? layer.Size, SkippedIn(diffId, null));
        }
        Task<(Digest, UnpackResult?)>? streamed = null;
        if (!content.Exists(blob))
        {
            progress?.Report(new ImageProgress(item, ImageProgressPhase.Waiting, 0, layer.Size));
            // One download per blob at a time: two pulls sharing a layer must not write one ingest file together.
            var blobLock = downloads.GetOrAdd(blob, _ => new SemaphoreSlim(1, 1));
            await blobLock.WaitAsync(ct);
            await gate.WaitAsync(ct);
            try
            {
                if (!content.Exists(blob))
                {
                    string partial = content.IngestPath(blob);
                    var growing = new GrowingFileStream(partial);
                    streamed = layers.UnpackAsync(() => growing, diffId, UnpackOptions.Layer, ct);
                    var bytes = new SyncProgress<long>(n =>
                    {
                        growing.Written();
                        progress?.Report(new ImageProgress(item, ImageProgressPhase.Downloading, n, layer.Size));
                    });
                    try
                    {
                        await repo.DownloadBlobAsync(layer, partial, bytes, ct);
                        growing.Complete();
                    }
                    catch (Exception e)
                    {
                        growing.Fail(e);
                        // The unpack now fails too (its reads throw); wait for it, mark its error observed,
                        // and report the download's, which says what went wrong.
                        await Task.WhenAny(streamed);
                        _ = streamed.Exception;
                        throw;
                    }
                    content.CommitVerified(partial, blob);
                }
            }
            finally
            {
                gate.Release();
                blobLock.Release();
            }
        }
        progress?.Report(new ImageProgress(item, ImageProgressPhase.Extracting, 0, layer.Size));
        try
        {
            UnpackResult? result;
            try
            {
                (_, result) = await (streamed ?? UnpackBlobAsync());
            }
            catch (Exception e) when (streamed is not null && e is IslanderException or IOException && !ct.IsCancellationRequested)
            {
                // The blob downloaded and verified, but unpacking it on the fly failed: perhaps a stale partial file
                // that the download truncated and rewrote under the reader. The verified blob has the last word.
                (_, result) = await UnpackBlobAsync();
            }
            progress?.Report(new ImageProgress(item, ImageProgressPhase.Complete, layer.Size, layer.Size));
            return (result?.TarBytes ?? KnownLayerSize(diffId) ?? layer.Size, SkippedIn(diffId, result));
        }
        catch (IslanderException e) when (e is not DigestMismatchException)
        {
            throw new IslanderException($"unpack layer {blob}: {e.Message}", e.Category, e);
        }

        Task<(Digest, UnpackResult?)> UnpackBlobAsync() => layers.UnpackAsync(() => content.Open(blob), diffId, UnpackOptions.Layer, ct);
    }

    long? KnownLayerSize(Digest diffId) =>
        index.Images.SelectMany(i => i.Layers).FirstOrDefault(l => l.DiffId == diffId.ToString())?.Size;
}
