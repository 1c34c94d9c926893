namespace Islander.Drivers.Images;

/// <summary>
/// The images on this machine: pulled from registries or imported from tarballs, their layers
/// unpacked once and shared, ready to be an isle's overlay lower dirs.
/// References are Docker's (<c>busybox</c>, <c>localhost:5000/team/app:1.2</c>, <c>repo@sha256:…</c>);
/// an image id is its config digest (<c>sha256:…</c>, or a unique prefix of its hex).
/// Every method is safe to call concurrently. Errors are <see cref="Islander.Model.IslanderException"/>s:
/// NotFound for unknown images, InvalidManifest for bad references and malformed images,
/// Unsupported for image kinds islander cannot run, Transient for network trouble,
/// Conflict for removing an image in use; <see cref="RegistryException"/> carries a registry's own message.
/// </summary>
public interface IImageStore
{
    /// <summary>
    /// Pulls an image (the manifest for this platform when the name is an index) and unpacks its
    /// layers, then points the name at it. Idempotent: layers and blobs already present are not
    /// fetched again, and an interrupted pull resumes its partial downloads.
    /// </summary>
    Task<ImageInfo> PullAsync(string reference, PullOptions options, IProgress<ImageProgress>? progress, CancellationToken ct);

    /// <summary>
    /// Imports a tarball (plain, gzip or zstd): a root filesystem as <c>docker export</c> makes it
    /// (one layer, an empty config), or a <c>docker save</c> / OCI image archive (its images, for
    /// this platform). <paramref name="name"/> names the (first) image; without it, archives keep
    /// the names they carry and a root filesystem stays unnamed (reachable by id).
    /// </summary>
    Task<ImageInfo> ImportAsync(string tarballPath, string? name, IProgress<ImageProgress>? progress, CancellationToken ct);

    /// <summary>Every image, named or not, by id.</summary>
    IReadOnlyList<ImageInfo> List();

    /// <summary>The image a reference or id names.</summary>
    /// <exception cref="Islander.Model.IslanderException">NotFound.</exception>
    ImageInfo Inspect(string reference);

    /// <summary>
    /// Removes a name; the image itself goes when its last name does, or when it is named by id or
    /// digest, and then layers and blobs no other image uses are deleted. Refuses (Conflict) when
    /// the image would go but <paramref name="inUse"/> says an isle uses it (it is given image ids).
    /// Returns what was removed: the untagged name, or the image id.
    /// </summary>
    string Remove(string reference, Func<string, bool> inUse);

    /// <summary>What an isle needs to run the image: its layer directories, top layer first, and its config's process defaults.</summary>
    /// <exception cref="Islander.Model.IslanderException">NotFound: no such image, or a layer directory has gone.</exception>
    ResolvedImage Resolve(string reference);
}
