using Islander.Controller.Desired;
using Islander.Controller.State;
using Islander.Drivers.Images;
using Islander.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Islander.Controller.Images;

/// <summary>
/// The daemon's side of the image store: what isles need (resolve locally, else pull: Docker's pull-if-missing)
/// and what removing an image must respect (no image an isle uses goes). The store itself is chosen by Program.cs
/// (an <see cref="OciImageStore"/> under STATE/images).
/// Pulls and imports through the API go through here too, so that the isles waiting for an image hear of it.
/// </summary>
public sealed class IsleImages(IImageStore store, StateStore state, DesiredStore desired, ILogger<IsleImages>? log = null)
{
    readonly ILogger _log = log ?? NullLogger<IsleImages>.Instance;

    /// <summary>The store: listing, inspecting and removing images go to it directly.</summary>
    public IImageStore Store => store;

    /// <summary>
    /// Raised with the key of every desired isle whose <c>image:</c> names an image that has just arrived (pulled or
    /// imported). The daemon adds the key to the reconcile queue (level-triggered: the key says nothing more), so an
    /// isle that failed with ImagePullFailed is looked at again now, not at its next back-off or resync.
    /// </summary>
    public event Action<ObjectKey>? IsleAffected;

    /// <summary>Pulls <paramref name="reference"/> into the store (<see cref="IImageStore.PullAsync"/>), then wakes the isles that name it.</summary>
    public async Task<ImageInfo> PullAsync(string reference, PullOptions options, IProgress<ImageProgress>? progress, CancellationToken ct)
    {
        var info = await store.PullAsync(reference, options, progress, ct);
        ReportSkippedDevices(info);
        Arrived(info);
        return info;
    }

    /// <summary>Imports a tarball into the store (<see cref="IImageStore.ImportAsync"/>), then wakes the isles that name it.</summary>
    public async Task<ImageInfo> ImportAsync(string tarballPath, string? name, IProgress<ImageProgress>? progress, CancellationToken ct)
    {
        var info = await store.ImportAsync(tarballPath, name, progress, ct);
        ReportSkippedDevices(info);
        Arrived(info);
        return info;
    }

    /// <summary>
    /// Logs the device nodes the image's layers held and the store did not create (an isle gets its own /dev with
    /// Docker's devices), so an image that needs one is not left to fail without a word.
    /// </summary>
    void ReportSkippedDevices(ImageInfo info)
    {
        if (info.SkippedDevices.Count > 0)
            _log.LogWarning("Image {Image}: {Count} device node(s) in its layers not created (an isle gets its own /dev; pass a device another way): {Nodes}",
                info.Names.FirstOrDefault() ?? info.Id, info.SkippedDevices.Count, string.Join(", ", info.SkippedDevices));
    }

    /// <summary>Whether <paramref name="reference"/> names an image that is here, ready to run (no pull needed).</summary>
    public bool IsPresent(string reference)
    {
        try
        {
            store.Resolve(reference);
            return true;
        }
        catch (IslanderException e) when (e.Category is ErrorCategory.NotFound or ErrorCategory.InvalidManifest)
        {
            return false; // not here, a layer missing, or not an image reference at all
        }
    }

    /// <summary>
    /// The image <paramref name="reference"/> names, ready to run: from the store if it is there, else pulled first.
    /// </summary>
    /// <exception cref="ImagePullException">Not on this machine and the pull failed (the cause's category).</exception>
    public async Task<ResolvedImage> EnsureAsync(string reference, CancellationToken ct)
    {
        try
        {
            return store.Resolve(reference);
        }
        catch (IslanderException e) when (e.Category == ErrorCategory.NotFound)
        {
            // not here (or a layer went missing): pull it
        }
        _log.LogInformation("Pulling image {Image} for an isle", reference);
        try
        {
            var info = await store.PullAsync(reference, PullOptions.Default, null, ct);
            _log.LogInformation("Pulled image {Image} from {Source}: {Id}", reference, info.PulledFrom, info.Id);
            ReportSkippedDevices(info);
            Arrived(info); // other isles may wait for the same image
            return store.Resolve(reference);
        }
        catch (IslanderException e)
        {
            throw new ImagePullException(reference, e);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or TimeoutException or UnauthorizedAccessException)
        {
            throw new ImagePullException(reference, new IslanderException(e.Message, ErrorCategory.Transient, e));
        }
    }

    /// <summary>
    /// Whether an isle uses the image with id <paramref name="imageId"/>: an isle record started from it, or a desired
    /// isle whose <c>image:</c> names it now.
    /// </summary>
    public bool InUse(string imageId) =>
        state.Isles().Any(r => r.ImageId == imageId) || DesiredIslesUsing(imageId).Any();

    /// <summary>The desired isles whose <c>image:</c> names the image with id <paramref name="imageId"/> now.</summary>
    IEnumerable<string> DesiredIslesUsing(string imageId)
    {
        foreach (var entry in desired.List(ObjectKind.Isle))
        {
            if (entry.Object?.Isle?.Image is not { } reference)
                continue;
            string? id;
            try
            {
                id = Store.Inspect(reference).Id;
            }
            catch (IslanderException)
            {
                id = null; // names no image here
            }
            if (id == imageId)
                yield return entry.Key.Name;
        }
    }

    void Arrived(ImageInfo image)
    {
        foreach (var isle in DesiredIslesUsing(image.Id))
        {
            _log.LogDebug("Image {Id} arrived: waking isle {Isle}", image.Id, isle);
            IsleAffected?.Invoke(ObjectKey.Isle(isle));
        }
    }

    /// <summary>Removes a name or an image; Conflict when the image would go while an isle uses it.</summary>
    public string Remove(string reference) => Store.Remove(reference, InUse);
}
