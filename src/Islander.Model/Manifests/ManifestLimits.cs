namespace Islander.Model;

/// <summary>
/// How large and deep a manifest may be. Each limit is far above anything a person writes, and each keeps one bad
/// input (a runaway generator, a hostile body on the API socket) from exhausting the daemon's stack or memory or its
/// state database. Past a limit, the file (or request) gets one diagnostic that names the limit and what to do; the
/// objects it defined before keep their last good version.
/// </summary>
public static class ManifestLimits
{
    /// <summary>
    /// Bytes in one manifest file or one API body (YAML or JSON). Kubernetes' API server takes 3 MiB per request;
    /// this is larger so that a file of many objects that <c>islanderctl apply -f</c> sends whole still fits.
    /// </summary>
    public const int MaxFileBytes = 8 << 20;

    /// <summary>
    /// One object as stored (its spec as JSON and its labels, UTF-8): Kubernetes' objects live in etcd, which takes
    /// 1.5 MiB per request. The state database cannot hold a record above 16 MiB at all, so a larger spec would stop
    /// the daemon where it is saved.
    /// </summary>
    public const int MaxObjectBytes = 3 << 19;

    /// <summary>
    /// Bytes of one config file (<see cref="VolumeMount.ConfigFile"/>): Kubernetes' ConfigMaps hold at most 1 MiB. Checked
    /// before the file is read; its content is stored in the isle's spec, which <see cref="MaxObjectBytes"/> bounds too.
    /// </summary>
    public const int MaxConfigFileBytes = 1 << 20;

    /// <summary>
    /// Nesting of lists and mappings. A manifest needs about 6 levels (<c>spec.volumes[0].tmpfs.size</c>); 64 is
    /// System.Text.Json's default depth. Deeper nesting would overflow the reader's stack, which ends the process.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Values (scalars, lists and mappings) in one file, an alias counted as the whole node it repeats, so that a
    /// few lines of anchors cannot stand for billions of values (the "billion laughs" of CVE-2019-11253 in Kubernetes).
    /// </summary>
    public const int MaxNodes = 500_000;

    /// <summary>Documents (<c>---</c>) in one file: thousands of isles fit in one file; more should be split.</summary>
    public const int MaxDocuments = 10_000;

    /// <summary>Problems reported per file: the first ones, then one line that says how many more there are.</summary>
    public const int MaxProblems = 50;

    /// <summary>Characters of a value or a field name quoted in a problem; a longer one is cut, with its length said.</summary>
    public const int MaxQuote = 120;

    /// <summary>
    /// At most <paramref name="max"/> characters of <paramref name="text"/>: a longer text keeps its start and says
    /// how long it was, so an error never echoes a 20 MB value back.
    /// </summary>
    public static string Excerpt(string text, int max = MaxQuote) =>
        text.Length <= max ? text : $"{text[..max]}… ({text.Length - max} more characters)";
}
