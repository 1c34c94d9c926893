using System.Text.RegularExpressions;
using Islander.Model;

namespace Islander.Drivers.Volumes;

/// <summary>
/// Checks volume and snapshot names before they become directory names, so that no name can climb out of the
/// root (<c>../x</c>, <c>/</c>) or collide with the driver's own dot-directories. The rule is the manifest's:
/// a DNS label, as Kubernetes object names.
/// </summary>
public static partial class VolumeName
{
    public const string Rule = "use at most 63 characters a-z, 0-9 and '-', starting and ending with a letter or digit";

    public static bool IsValid(string? name) => name is { Length: > 0 and <= 63 } && DnsLabel().IsMatch(name);

    /// <summary>Returns <paramref name="name"/> when it can name a volume; InvalidManifest otherwise.</summary>
    public static string Volume(string name) => Check(name, "volume");

    /// <summary>Returns <paramref name="snapshot"/> when it can name a snapshot; InvalidManifest otherwise.</summary>
    public static string Snapshot(string snapshot) => Check(snapshot, "snapshot");

    static string Check(string name, string what) =>
        IsValid(name) ? name : throw new VolumeException($"\"{name}\" is not a {what} name: {Rule}", ErrorCategory.InvalidManifest);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
