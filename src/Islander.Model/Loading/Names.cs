using System.Text.RegularExpressions;

namespace Islander.Model;

/// <summary>Name rules of Kubernetes (RFC 1123), used for object names, hostnames and label keys.</summary>
internal static partial class Names
{
    public const string DnsLabelRule = "use at most 63 characters a-z, 0-9 and '-', starting and ending with a letter or digit";

    public static bool IsDnsLabel(string name) => name.Length <= 63 && DnsLabel().IsMatch(name);

    /// <summary>A hostname the kernel takes (at most 64 bytes, __NEW_UTS_LEN) made of RFC 1123 labels.</summary>
    public static bool IsHostname(string name) =>
        name.Length is > 0 and <= 64 && name.Split('.').All(l => l.Length <= 63 && HostLabel().IsMatch(l));

    /// <summary>Kubernetes label key: optional DNS-subdomain prefix and '/', then a name of at most 63 characters.</summary>
    public static bool IsLabelKey(string key)
    {
        var slash = key.LastIndexOf('/');
        var name = slash < 0 ? key : key[(slash + 1)..];
        var prefix = slash < 0 ? null : key[..slash];
        return IsLabelValue(name) && name.Length > 0
            && (prefix is null || (prefix.Length is > 0 and <= 253 && prefix.Split('.').All(IsDnsLabel)));
    }

    /// <summary>Kubernetes label value: empty, or at most 63 of [A-Za-z0-9-_.] starting and ending alphanumeric.</summary>
    public static bool IsLabelValue(string value) => value.Length == 0 || (value.Length <= 63 && LabelValue().IsMatch(value));

    /// <summary>The patterns of the rules above, for <see cref="ManifestSchema"/> (JSON Schema patterns are ECMA-262; these are in the common subset).</summary>
    public static string DnsLabelPattern => DnsLabel().ToString();

    public static string HostLabelPattern => HostLabel().ToString();

    public static string LabelValuePattern => LabelValue().ToString();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$")]
    private static partial Regex HostLabel();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();
}
