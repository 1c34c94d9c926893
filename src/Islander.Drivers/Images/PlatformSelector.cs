using System.Runtime.InteropServices;
using Islander.Model;

namespace Islander.Drivers.Images;

/// <summary>
/// Picks the manifest for a platform out of an image index, as containerd's platforms.Default
/// matcher does: os and architecture must match; a variant, when the target names one, must
/// match too, and an entry without a variant is the fallback.
/// </summary>
public static class PlatformSelector
{
    /// <summary>This machine: linux and its architecture in the image spec's (GOARCH) spelling.</summary>
    public static OciPlatform Current { get; } = new()
    {
        Os = "linux",
        Architecture = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "amd64",
            Architecture.Arm64 => "arm64",
            Architecture.Arm => "arm",
            Architecture.X86 => "386",
            Architecture.S390x => "s390x",
            Architecture.Ppc64le => "ppc64le",
            Architecture.RiscV64 => "riscv64",
            Architecture.LoongArch64 => "loong64",
            var other => other.ToString().ToLowerInvariant(),
        },
        Variant = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "v8" : null,
    };

    /// <summary>The best manifest in <paramref name="index"/> for <paramref name="platform"/>.</summary>
    /// <exception cref="IslanderException">NotFound: the index has no manifest for the platform (lists what it has).</exception>
    public static OciDescriptor Select(OciIndex index, OciPlatform platform)
    {
        OciDescriptor? fallback = null;
        foreach (var m in index.Manifests)
        {
            // Attestations and other artifacts sit in the index with platform unknown/unknown.
            if (m.Platform is not { } p || !MediaTypes.IsManifest(m.MediaType ?? MediaTypes.OciManifest))
                continue;
            if (p.Os != platform.Os || p.Architecture != platform.Architecture)
                continue;
            if (platform.Variant is null || p.Variant == platform.Variant)
                return m;
            if (p.Variant is null)
                fallback ??= m;
        }
        if (fallback is not null)
            return fallback;
        var available = index.Manifests.Where(m => m.Platform is not null)
            .Select(m => $"{m.Platform!.Os}/{m.Platform.Architecture}{(m.Platform.Variant is null ? "" : "/" + m.Platform.Variant)}");
        throw new IslanderException(
            $"no manifest for {platform.Os}/{platform.Architecture} in the image index (it has: {string.Join(", ", available.DefaultIfEmpty("none"))})",
            ErrorCategory.NotFound);
    }
}
