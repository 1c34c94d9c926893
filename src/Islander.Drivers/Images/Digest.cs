using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Islander.Model;

namespace Islander.Drivers.Images;

/// <summary>A content digest, <c>sha256:&lt;64 hex&gt;</c>. Only sha256 is accepted: it is what every registry and image uses.</summary>
public readonly partial record struct Digest(string Hex)
{
    public const string Algorithm = "sha256";

    public override string ToString() => $"{Algorithm}:{Hex}";

    /// <summary>The first 12 hex digits, as Docker prints image ids.</summary>
    public string Short => Hex[..12];

    public static Digest Parse(string text) =>
        TryParse(text, out var d) ? d : throw new IslanderException($"invalid digest \"{text}\" (want sha256:<64 hex digits>)", ErrorCategory.InvalidManifest);

    public static bool TryParse(string? text, out Digest digest)
    {
        digest = default;
        if (text is null || !Pattern().IsMatch(text))
            return false;
        digest = new Digest(text[7..]);
        return true;
    }

    public static Digest Of(ReadOnlySpan<byte> content) => new(Convert.ToHexStringLower(SHA256.HashData(content)));

    public static Digest FromHash(byte[] sha256) => new(Convert.ToHexStringLower(sha256));

    [GeneratedRegex("^sha256:[a-f0-9]{64}$")]
    private static partial Regex Pattern();
}
