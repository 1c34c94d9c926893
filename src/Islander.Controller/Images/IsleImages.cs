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
/// (an <see cref="OciImageStore"/> under STATE/images); a host without one answers Unsupported.
/// </summary>
public sealed class IsleImages(IImageStore? store, StateStore state, DesiredStore desired, ILogger<IsleImages>? log = null)
{
    readonly ILogger _log = log ?? NullLogger<IsleImages>.Instance;

    /// <summary>The store, or Unsupported when this daemon was built without one.</summary>
    public IImageStore Store => store ?? throw new IslanderException("this islanderd has no image store", ErrorCategory.Unsupported);

    /// <summary>
    /// The image <paramref name="reference"/> names, ready to run: from the store if it is there, else pulled first.
    /// </summary>
    /// <exception cref="ImagePullException">Not on this machine and the pull failed (the cause's category).</exception>
    public async Task<ResolvedImage> EnsureAsync(string reference, CancellationToken ct)
    {
        var images = Store;
        try
        {
            return images.Resolve(reference);
        }
        catch (IslanderException e) when (e.Category == ErrorCategory.NotFound)
        {
            // not here (or a layer went missing): pull it
        }
        _log.LogInformation("Pulling image {Image} for an isle", reference);
        try
        {
            var info = await images.PullAsync(reference, PullOptions.Default, null, ct);
            _log.LogInformation("Pulled image {Image}: {Id}", reference, info.Id);
            return images.Resolve(reference);
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
    public bool InUse(string imageId)
    {
        if (state.Isles().Any(r => r.ImageId == imageId))
            return true;
        foreach (var entry in desired.List(ResourceKind.Isle))
        {
            if (entry.Object?.Isle?.Image is not { } reference)
                continue;
            try
            {
                if (Store.Inspect(reference).Id == imageId)
                    return true;
            }
            catch (IslanderException)
            {
                // names no image here
            }
        }
        return false;
    }

    /// <summary>Removes a name or an image; Conflict when the image would go while an isle uses it.</summary>
    public string Remove(string reference) => Store.Remove(reference, InUse);
}
