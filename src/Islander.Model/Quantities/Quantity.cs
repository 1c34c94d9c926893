using System.Globalization;
using System.Numerics;

namespace Islander.Model;

/// <summary>
/// Parses and formats the quantities of manifests: byte sizes (<c>64Mi</c>, <c>512m</c>, <c>1G</c>) and
/// CPU amounts (<c>0.5</c>, <c>500m</c>).
/// </summary>
/// <remarks>
/// <para><b>Byte sizes</b> take both the Kubernetes forms and the lower-case forms of Docker
/// (<c>docker run --memory 512m</c>). The two disagree on <c>k</c> and <c>m</c>, so the rule is by case:</para>
/// <list type="table">
///   <item><term>no suffix, <c>b</c></term><description>bytes (<c>1e3</c>, <c>1.5e6</c>: decimal exponents, as Kubernetes)</description></item>
///   <item><term><c>Ki Mi Gi Ti Pi Ei</c></term><description>binary: 2^10, 2^20, … (Kubernetes)</description></item>
///   <item><term><c>k K M G T P E</c> (upper case but for <c>k</c>)</term><description>decimal: 10^3, 10^6, … (Kubernetes; <c>K</c> taken as 10^3 too)</description></item>
///   <item><term><c>k m g t</c>, <c>kb mb gb tb</c> (lower case)</term><description>binary: 2^10, 2^20, … (Docker)</description></item>
/// </list>
/// <para>So <c>512m</c> is 512 MiB (Docker) and <c>500M</c> is 500,000,000 bytes (Kubernetes). Kubernetes would read
/// <c>512m</c> as 0.512 bytes ("m" is milli), which is never a meaningful memory size, so Docker's reading wins.
/// The one real clash is lower-case <c>k</c>: Kubernetes says 1000, Docker 1024; we follow Docker, like the
/// other lower-case letters, and so <c>64k</c> is 65536. Upper-case <c>KB MB GB</c> are rejected because Docker
/// reads them as binary and Kubernetes' habits as decimal; the message names the unambiguous forms.
/// Fractions are allowed (<c>1.5Gi</c>) and rounded up to a whole byte, as Kubernetes does.</para>
/// <para><b>CPU</b> is read as Kubernetes does: a number of CPUs (<c>1</c>, <c>0.5</c>, <c>1.25</c>) or millicores
/// (<c>500m</c>), and returned in millicores. Amounts finer than one millicore are rejected rather than rounded.</para>
/// <para>Negative values, overflow (beyond <see cref="long.MaxValue"/>) and anything else are rejected with a
/// message that names the value and the accepted forms.</para>
/// </remarks>
public static partial class Quantity
{
    /// <summary>The accepted byte forms, for messages.</summary>
    public const string ByteForms = "use forms like 64Mi, 512m or 1G (bytes: 1048576, Ki/Mi/Gi/Ti binary, k/m/g/t binary as Docker, K/M/G/T decimal)";

    /// <summary>The accepted CPU forms, for messages.</summary>
    public const string CpuForms = "use a number of CPUs such as 0.5, 1 or 1.25, or millicores such as 500m";

    /// <summary>Parses a byte size. Throws <see cref="IslanderException"/> (InvalidManifest) when it is not one.</summary>
    public static long ParseBytes(string text) =>
        TryParseBytes(text, out var bytes, out var error) ? bytes : throw new IslanderException(error!, ErrorCategory.InvalidManifest);

    /// <summary>Parses CPU as millicores. Throws <see cref="IslanderException"/> (InvalidManifest) when it is not one.</summary>
    public static long ParseCpuMillis(string text) =>
        TryParseCpuMillis(text, out var millis, out var error) ? millis : throw new IslanderException(error!, ErrorCategory.InvalidManifest);

    /// <summary>Parses a byte size; on failure <paramref name="error"/> says why and what to write instead.</summary>
    public static bool TryParseBytes(string? text, out long bytes, out string? error)
    {
        bytes = 0;
        var s = text?.Trim() ?? "";
        if (!SplitNumber(s, out var number, out var suffix, out var sign, out var tooLong))
        {
            error = sign ? $"\"{s}\" is negative; a size must be 0 or more"
                : tooLong ? $"\"{s}\" has too many digits; the largest size is {long.MaxValue} bytes"
                : $"\"{s}\" is not a quantity; {ByteForms}";
            return false;
        }

        BigInteger multiplier;
        BigInteger divisor = 1;
        if (!ByteSuffix(suffix, out multiplier, out var exponent))
        {
            error = suffix is "KB" or "MB" or "GB" or "TB" or "PB" or "EB" or "KiB" or "MiB" or "GiB" or "TiB"
                ? $"\"{s}\" is ambiguous; write {number}{suffix[0]}i (binary, 2^n) or {number}{suffix[0]} (decimal, 10^n)"
                : $"\"{s}\" is not a quantity; {ByteForms}";
            return false;
        }

        if (exponent is { } e)
        {
            if (e > 30 || e < -30)
            {
                error = $"\"{s}\" is too large; the largest size is {long.MaxValue} bytes";
                return false;
            }
            if (e >= 0) multiplier = BigInteger.Pow(10, e); else divisor = BigInteger.Pow(10, -e);
        }

        var (mantissa, scale) = number;
        var denominator = BigInteger.Pow(10, scale) * divisor;
        var value = mantissa * multiplier;
        var whole = BigInteger.DivRem(value, denominator, out var remainder);
        if (remainder != 0) whole += 1; // round up to a whole byte, as Kubernetes does
        if (whole > long.MaxValue)
        {
            error = $"\"{s}\" is too large; the largest size is {long.MaxValue} bytes";
            return false;
        }
        bytes = (long)whole;
        error = null;
        return true;
    }

    /// <summary>Parses CPU as millicores; on failure <paramref name="error"/> says why and what to write instead.</summary>
    public static bool TryParseCpuMillis(string? text, out long millis, out string? error)
    {
        millis = 0;
        var s = text?.Trim() ?? "";
        if (!SplitNumber(s, out var number, out var suffix, out var sign, out var tooLong) || (suffix.Length != 0 && suffix != "m"))
        {
            error = sign ? $"\"{s}\" is negative; CPU must be more than 0"
                : tooLong ? $"\"{s}\" has too many digits; {CpuForms}"
                : $"\"{s}\" is not a CPU amount; {CpuForms}";
            return false;
        }

        var (mantissa, scale) = number;
        // Millicores = number * 1000 (CPUs) or number * 1 (m).
        var numerator = mantissa * (suffix == "m" ? 1 : 1000);
        var whole = BigInteger.DivRem(numerator, BigInteger.Pow(10, scale), out var remainder);
        if (remainder != 0)
        {
            error = $"\"{s}\" is finer than one millicore (0.001 CPU); {CpuForms}";
            return false;
        }
        if (whole > long.MaxValue)
        {
            error = $"\"{s}\" is too large; {CpuForms}";
            return false;
        }
        millis = (long)whole;
        error = null;
        return true;
    }

    /// <summary>The most significant digits a quantity may have.</summary>
    private const int MaxDigits = 60;

    /// <summary>Splits "1.5Gi" into (15, scale 1) and "Gi". False when there is no number, it is negative, or it has more than <see cref="MaxDigits"/> digits.</summary>
    private static bool SplitNumber(string s, out (BigInteger Mantissa, int Scale) number, out string suffix, out bool negative, out bool tooLong)
    {
        tooLong = false;
        number = default;
        suffix = "";
        negative = s.StartsWith('-');
        var i = s.Length > 0 && s[0] == '+' ? 1 : 0;
        var digitsStart = i;
        var mantissa = BigInteger.Zero;
        var scale = 0;
        var seenPoint = false;
        var digits = 0;
        var significant = 0;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c is >= '0' and <= '9')
            {
                mantissa = mantissa * 10 + (c - '0');
                digits++;
                if (!mantissa.IsZero) significant++;
                if (seenPoint) scale++;
                // Far beyond any long and any fraction that matters, and keeps BigInteger small (a megabyte of digits
                // would take quadratic time). Leading zeros do not count: 0000…01 is 1.
                if (significant > MaxDigits || digits > MaxDigits * 10)
                {
                    tooLong = true;
                    return false;
                }
            }
            else if (c == '.' && !seenPoint) seenPoint = true;
            else break;
        }
        if (negative || digits == 0 || i == digitsStart) return false;
        number = (mantissa, scale);
        suffix = s[i..];
        return true;
    }

    private static bool ByteSuffix(string suffix, out BigInteger multiplier, out int? exponent)
    {
        exponent = null;
        multiplier = suffix switch
        {
            "" or "b" => 1,
            "Ki" or "k" or "kb" => BigInteger.Pow(2, 10),
            "Mi" or "m" or "mb" => BigInteger.Pow(2, 20),
            "Gi" or "g" or "gb" => BigInteger.Pow(2, 30),
            "Ti" or "t" or "tb" => BigInteger.Pow(2, 40),
            "Pi" => BigInteger.Pow(2, 50),
            "Ei" => BigInteger.Pow(2, 60),
            "K" => BigInteger.Pow(10, 3),
            "M" => BigInteger.Pow(10, 6),
            "G" => BigInteger.Pow(10, 9),
            "T" => BigInteger.Pow(10, 12),
            "P" => BigInteger.Pow(10, 15),
            "E" => BigInteger.Pow(10, 18),
            _ => BigInteger.MinusOne,
        };
        if (!multiplier.IsZero && multiplier.Sign > 0) return true;

        // Kubernetes' decimal exponent: 1e3, 1E6, 5e-1 ("E" alone is exa, handled above).
        if (suffix.Length >= 2 && suffix[0] is 'e' or 'E'
            && int.TryParse(suffix.AsSpan(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var e)
            && suffix[1..].TrimStart('+', '-').All(char.IsAsciiDigit))
        {
            multiplier = 1;
            exponent = e;
            return true;
        }
        return false;
    }
}
