using System.Text.RegularExpressions;

namespace Islander.Model;

/// <summary>
/// An image name as Docker reads it (distribution/reference's ParseNormalizedNamed): <c>[domain[:port]/]path[:tag][@digest]</c>;
/// <c>busybox</c> is <c>docker.io/library/busybox:latest</c>. The first path component is a registry only when it holds
/// a '.' or ':', is <c>localhost</c> or has an upper-case letter (docker's splitDockerDomain). A digest pins the content;
/// a tag is ignored for fetching when a digest is present (as Docker does) but kept for the name.
/// </summary>
/// <remarks>
/// The one rule for a manifest's <c>image</c> and for a pull or import, with distribution/reference's limits: the name
/// (registry and path as written, before the tag) at most <see cref="MaxNameLength"/> characters (its
/// NameTotalLengthMax), a tag at most 128 ASCII letters, digits, '_', '.' and '-' (Go's <c>[\w][\w.-]{0,127}</c>, where <c>\w</c> is ASCII), path components lower case, and a digest
/// <c>sha256:</c> and 64 lower-case hex digits (what go-digest accepts for sha256, the only algorithm the image store
/// reads). A reference the manifest accepts can therefore always be pulled.
/// </remarks>
public sealed partial record ImageReference(string Registry, string Repository, string? Tag, string? Digest)
{
    public const string DockerHub = "docker.io";
    public const string DefaultTag = "latest";

    /// <summary>distribution/reference's NameTotalLengthMax: registry and path as written, before the tag or digest.</summary>
    public const int MaxNameLength = 255;

    /// <summary>The reason given for a repository with upper-case letters.</summary>
    public const string UpperCaseReason = "repository names must be lower case";

    /// <summary>The host the API is served from: Docker Hub's names live on registry-1.docker.io.</summary>
    public string ApiHost => Registry == DockerHub ? "registry-1.docker.io" : Registry;

    /// <summary>The tag or digest to ask the registry's manifests endpoint for.</summary>
    public string ManifestReference => Digest ?? Tag ?? DefaultTag;

    /// <summary>registry/repository without tag or digest.</summary>
    public string Name => $"{Registry}/{Repository}";

    /// <summary>The fully qualified form: <c>docker.io/library/busybox:latest</c>, <c>host/app@sha256:…</c>.</summary>
    public override string ToString() =>
        Name + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    /// <summary>The short form Docker prints: <c>busybox:latest</c>, <c>team/app:1</c> on Docker Hub.</summary>
    public string Familiar()
    {
        string name = Registry != DockerHub ? Name
            : Repository.StartsWith("library/", StringComparison.Ordinal) && Repository.IndexOf('/', 8) < 0 ? Repository[8..]
            : Repository;
        return name + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);
    }

    /// <summary>Parses and normalizes <paramref name="text"/>; a name with neither tag nor digest gets <c>:latest</c>.</summary>
    /// <exception cref="IslanderException">InvalidManifest: not a valid reference.</exception>
    public static ImageReference Parse(string text)
    {
        if (TryParse(text, out var reference, out var why))
            return reference;
        throw new IslanderException($"invalid image reference \"{ManifestLimits.Excerpt(text)}\": {why}", ErrorCategory.InvalidManifest);
    }

    public static bool TryParse(string text, out ImageReference reference) => TryParse(text, out reference, out _);

    /// <summary>Parses <paramref name="text"/>; when it is not a reference, <paramref name="why"/> says what is wrong.</summary>
    public static bool TryParse(string text, out ImageReference reference, out string why)
    {
        reference = null!;
        why = "";
        if (string.IsNullOrEmpty(text))
            return Fail("empty", out why);

        string rest = text;
        string? digest = null;
        int at = rest.IndexOf('@');
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
            if (!DigestPattern().IsMatch(digest))
                return Fail($"invalid digest \"{ManifestLimits.Excerpt(digest)}\" (want sha256:<64 lower-case hex digits>)", out why);
        }

        // A tag follows the last ':' that comes after the last '/' (a ':' before it is a port).
        string? tag = null;
        int slash = rest.LastIndexOf('/');
        int colon = rest.LastIndexOf(':');
        if (colon > slash)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!TagPattern().IsMatch(tag))
                return Fail($"invalid tag \"{ManifestLimits.Excerpt(tag)}\" (letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-')", out why);
        }
        if (rest.Length > MaxNameLength)
            return Fail($"the name is {rest.Length} characters; it may be at most {MaxNameLength}", out why);

        string registry = DockerHub, path = rest;
        int first = rest.IndexOf('/');
        if (first >= 0)
        {
            string head = rest[..first];
            if (head.Contains('.') || head.Contains(':') || head == "localhost" || head != head.ToLowerInvariant())
            {
                registry = head;
                path = rest[(first + 1)..];
            }
        }
        if (!DomainPattern().IsMatch(registry))
            return Fail($"invalid registry \"{registry}\"", out why);
        if (registry is "index.docker.io" or "registry-1.docker.io")
            registry = DockerHub;
        if (path.Length == 0)
            return Fail("empty repository name", out why);
        if (path != path.ToLowerInvariant())
            return Fail(UpperCaseReason, out why);
        foreach (var component in path.Split('/'))
            if (!ComponentPattern().IsMatch(component))
                return Fail($"invalid repository name component \"{component}\"", out why);
        if (registry == DockerHub && !path.Contains('/'))
            path = "library/" + path;
        if (tag is null && digest is null)
            tag = DefaultTag;
        reference = new ImageReference(registry, path, tag, digest);
        return true;
    }

    private static bool Fail(string message, out string why)
    {
        why = message;
        return false;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\z")]
    private static partial Regex TagPattern();

    // \z, not $: .NET's $ also matches before a final newline, and "busybox\n" is no reference.

    // host[:port] or [ipv6]:port; labels of letters, digits and '-'.
    [GeneratedRegex(@"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?\z")]
    private static partial Regex DomainPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*\z")]
    private static partial Regex ComponentPattern();

    [GeneratedRegex(@"^sha256:[a-f0-9]{64}\z")]
    private static partial Regex DigestPattern();
}
