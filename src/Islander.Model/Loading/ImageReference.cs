using System.Text.RegularExpressions;

namespace Islander.Model;

/// <summary>
/// The grammar of image references from distribution/reference (what <c>docker pull</c> accepts):
/// <c>[domain[:port]/]path[:tag][@digest]</c>, path components lower case.
/// </summary>
internal static partial class ImageReference
{
    public static bool IsValid(string reference, out string? reason)
    {
        reason = null;
        if (reference.Length > 255 + 128 + 80 || !Reference().IsMatch(reference))
        {
            reason = reference.Any(char.IsUpper) && !reference.Contains('/')
                ? "repository names must be lower case"
                : "use a reference such as busybox:1.36, localhost:5000/app:v1 or alpine@sha256:<64 hex digits>";
            return false;
        }
        return true;
    }

    private const string Component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private const string DomainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private const string Domain = "(?:" + DomainComponent + "(?:\\." + DomainComponent + ")*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?";
    private const string Tag = "[\\w][\\w.-]{0,127}";
    private const string Digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

    // A first component is a domain only when it has a '.' or ':' or is "localhost", as in docker's splitDockerDomain;
    // the alternation below accepts it either way, and lower-case path rules then apply to the rest.
    [GeneratedRegex("^(?:" + Domain + "/)?" + Component + "(?:/" + Component + ")*(?::" + Tag + ")?(?:@" + Digest + ")?$")]
    private static partial Regex Reference();
}
