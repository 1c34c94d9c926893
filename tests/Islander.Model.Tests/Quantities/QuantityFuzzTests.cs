using System.Text.RegularExpressions;
using CsCheck;
using Islander.Testing;

namespace Islander.Model.Tests.Quantities;

/// <summary>
/// The quantity parser and the other small parsers of the Model (durations, log times, label selectors, image
/// references, signals, object keys) on generated text: they never throw; a byte size or CPU amount is accepted exactly
/// when the schema's pattern matches it (unless too large), and every formatted value parses back to itself.
/// </summary>
public class QuantityFuzzTests
{
    /// <summary>Text built from the grammar's pieces (signs, digits, points, exponents, every suffix) and some noise.</summary>
    static readonly Gen<string> QuantityText = Gen.Select(
        Gen.OneOf("", "", "", "+", "-", " ", "++"),
        Gen.String[Gen.Char["0123456789"], 0, 25],
        Gen.OneOf("", "", ".", ".5", ".000", ".0001", "..", ".1234567"),
        Gen.OneOf("", "", "e3", "E-2", "e+40", "e", "e31", "e-31", "E30"),
        Gen.OneOf("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "k", "K", "m", "M", "g", "G", "t", "T", "P", "E", "b", "kb", "mb", "gb", "tb", "KB", "MiB", "i", "x", "m ", " Mi", "\u00a0"),
        (sign, digits, fraction, exponent, suffix) => sign + digits + fraction + exponent + suffix);

    static readonly Gen<string> Text = Gen.Frequency((3, QuantityText), (1, FuzzValues.Strings));

    [Fact]
    public void TryParseBytes_GeneratedText_AcceptedExactlyWhenThePatternMatches()
    {
        var run = Fuzz.Run("quantity-bytes", Text, text =>
        {
            var ok = Quantity.TryParseBytes(text, out var bytes, out var error);
            var matches = Regex.IsMatch(text.Trim(), Quantity.BytesPattern);
            if (ok)
            {
                Assert.True(matches, $"accepted \"{text}\" as {bytes}, but the schema's pattern refuses it");
                Assert.True(bytes >= 0);
                Assert.True(Quantity.TryParseBytes(Quantity.FormatBytes(bytes), out var back, out _) && back == bytes, $"{bytes} formats as {Quantity.FormatBytes(bytes)}");
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(error));
                Assert.True(!matches || error!.Contains("too large", StringComparison.Ordinal) || error.Contains("too many digits", StringComparison.Ordinal), $"refused \"{text}\" ({error}), but the schema's pattern takes it");
            }
        }, 5000, t => $"\"{t}\"");
        Assert.True(run >= 500);
    }

    [Fact]
    public void TryParseCpuMillis_GeneratedText_AcceptedExactlyWhenThePatternMatches()
    {
        var run = Fuzz.Run("quantity-cpu", Text, text =>
        {
            var ok = Quantity.TryParseCpuMillis(text, out var millis, out var error);
            var matches = Regex.IsMatch(text.Trim(), Quantity.CpuPattern);
            if (ok)
            {
                Assert.True(matches, $"accepted \"{text}\" as {millis}m, but the schema's pattern refuses it");
                Assert.True(Quantity.TryParseCpuMillis(Quantity.FormatCpuMillis(millis), out var back, out _) && back == millis);
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(error));
                Assert.True(!matches || error!.Contains("too large", StringComparison.Ordinal) || error.Contains("too many digits", StringComparison.Ordinal), $"refused \"{text}\" ({error}), but the schema's pattern takes it");
            }
        }, 5000, t => $"\"{t}\"");
        Assert.True(run >= 500);
    }

    [Fact]
    public void FormatBytes_AnySize_ParsesBackToItself()
    {
        var run = Fuzz.Run("quantity-format", Gen.Long[0, long.MaxValue], bytes =>
        {
            Assert.True(Quantity.TryParseBytes(Quantity.FormatBytes(bytes), out var back, out var error), error);
            Assert.Equal(bytes, back);
            Assert.True(Quantity.TryParseCpuMillis(Quantity.FormatCpuMillis(bytes), out var millis, out error), error);
            Assert.Equal(bytes, millis);
        }, 5000);
        Assert.True(run >= 500);
    }

    [Fact]
    public void SmallParsers_GeneratedText_NeverThrow()
    {
        var now = DateTimeOffset.UtcNow;
        var run = Fuzz.Run("model-parsers", Gen.Frequency((3, FuzzValues.Strings), (1, QuantityText.Select(q => q + "h")), (1, QuantityText.Select(q => "since=" + q))), text =>
        {
            if (Durations.TryParse(text, out var duration)) Assert.True(duration >= TimeSpan.Zero, $"{duration}");
            if (LogTime.TryParse(text, out var time)) Assert.True(LogTime.TryParseSince(text, now, out var since) && since == time);
            else _ = LogTime.TryParseSince(text, now, out _);
            if (!LabelSelector.TryParse(text, out _, out var why)) Assert.False(string.IsNullOrEmpty(why));
            if (ImageReference.TryParse(text, out var image, out var reason)) Assert.True(ImageReference.TryParse(image.ToString(), out var again) && again.ToString() == image.ToString(), image.ToString());
            else Assert.False(string.IsNullOrEmpty(reason));
            if (Signals.TryParse(text, out var signal)) Assert.InRange(signal, 1, 64);
            if (ObjectKey.TryParse(text, out var key)) Assert.True(Enum.IsDefined(key.Kind) && ObjectKey.TryParse(key.ToString(), out var back) && back == key, key.ToString());
            _ = ObjectKey.TryParsePlural(text, out _);
        }, 5000, t => $"\"{t}\"");
        Assert.True(run >= 500);
    }
}
