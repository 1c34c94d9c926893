using System.Formats.Tar;
using Islander.Model;

namespace Islander.Drivers.Images;

public static class ArchiveDetector
{
    /// <summary>Looks at the top-level names only (layer data is skipped, not read, for plain tars).</summary>
    public static ArchiveKind Detect(string tarball)
    {
        using var file = File.OpenRead(tarball);
        using var tar = LayerCompression.OpenDecompressed(file);
        var top = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var reader = new TarReader(tar);
            while (TarUnpacker.NextEntry(reader) is { } entry)
            {
                string name = LayerPath.Clean(entry.Name);
                if (!name.Contains('/'))
                    top.Add(name);
            }
        }
        catch (Exception e) when (e is InvalidDataException || TarUnpacker.IsCorrupt(e))
        {
            throw new IslanderException($"{tarball} is not a tar archive: {e.Message}", ErrorCategory.InvalidManifest, e);
        }
        return Classify(top);
    }

    /// <summary>The rule: oci-layout + index.json is an OCI layout; manifest.json is docker save; anything else a root filesystem.</summary>
    public static ArchiveKind Classify(IReadOnlySet<string> topLevelNames) =>
        topLevelNames.Contains("oci-layout") && topLevelNames.Contains("index.json") ? ArchiveKind.OciLayout
        : topLevelNames.Contains("manifest.json") && !topLevelNames.Contains("etc") ? ArchiveKind.DockerSave
        : ArchiveKind.Rootfs;
}
