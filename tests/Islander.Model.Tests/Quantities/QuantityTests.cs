namespace Islander.Model.Tests.Quantities;

public class QuantityTests
{
    [Theory]
    // plain bytes and decimal exponents (Kubernetes)
    [InlineData("0", 0L)]
    [InlineData("1048576", 1048576L)]
    [InlineData("+12", 12L)]
    [InlineData("1e3", 1000L)]
    [InlineData("1E6", 1000000L)]
    [InlineData("1.5e3", 1500L)]
    [InlineData("5e-1", 1L)] // 0.5 bytes rounds up
    [InlineData("12b", 12L)]
    // binary, Kubernetes
    [InlineData("1Ki", 1024L)]
    [InlineData("64Mi", 64L * 1024 * 1024)]
    [InlineData("1.5Gi", 1536L * 1024 * 1024)]
    [InlineData("2Ti", 2L << 40)]
    [InlineData("1Pi", 1L << 50)]
    [InlineData("7Ei", 7L << 60)]
    // decimal, Kubernetes (upper case)
    [InlineData("1K", 1000L)]
    [InlineData("500M", 500_000_000L)]
    [InlineData("1G", 1_000_000_000L)]
    [InlineData("2T", 2_000_000_000_000L)]
    [InlineData("1P", 1_000_000_000_000_000L)]
    [InlineData("1E", 1_000_000_000_000_000_000L)]
    // binary, Docker (lower case)
    [InlineData("64k", 65536L)]
    [InlineData("512m", 512L * 1024 * 1024)]
    [InlineData("2g", 2L << 30)]
    [InlineData("1t", 1L << 40)]
    [InlineData("512mb", 512L * 1024 * 1024)]
    [InlineData("1gb", 1L << 30)]
    [InlineData("4kb", 4096L)]
    [InlineData(" 64Mi ", 64L * 1024 * 1024)]
    [InlineData("0.5Ki", 512L)]
    [InlineData("1.1", 2L)] // fractional bytes round up
    public void ParseBytes_AcceptedForm_ReturnsBytes(string text, long expected) =>
        Assert.Equal(expected, Quantity.ParseBytes(text));

    [Theory]
    [InlineData("64Q", "is not a quantity")]
    [InlineData("", "is not a quantity")]
    [InlineData("Mi", "is not a quantity")]
    [InlineData("abc", "is not a quantity")]
    [InlineData("1.2.3", "is not a quantity")]
    [InlineData("64 Mi", "is not a quantity")]
    [InlineData("1e", "is not a quantity")]
    [InlineData("1ee3", "is not a quantity")]
    [InlineData("-1", "is negative")]
    [InlineData("-64Mi", "is negative")]
    [InlineData("8Ei", "too large")]
    [InlineData("9223372036854775808", "too large")]
    [InlineData("1e40", "too large")]
    [InlineData("99999999999999999999999999999999999999999999", "is too large")]
    [InlineData("1GB", "ambiguous")]
    [InlineData("1MiB", "ambiguous")]
    [InlineData("1mi", "is not a quantity")]
    public void TryParseBytes_Junk_FailsWithReason(string text, string reason)
    {
        Assert.False(Quantity.TryParseBytes(text, out _, out var error));
        Assert.Contains(reason, error);
        Assert.Contains($"\"{text.Trim()}\"", error);
    }

    [Fact]
    public void TryParseBytes_NotAQuantity_NamesTheAcceptedForms()
    {
        Assert.False(Quantity.TryParseBytes("64Q", out _, out var error));
        Assert.Equal("\"64Q\" is not a quantity; " + Quantity.ByteForms, error);
    }

    [Fact]
    public void ParseBytes_Junk_ThrowsInvalidManifest()
    {
        var e = Assert.Throws<IslanderException>(() => Quantity.ParseBytes("lots"));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
    }

    [Fact]
    public void ParseBytes_LongMaxValue_IsAccepted() =>
        Assert.Equal(long.MaxValue, Quantity.ParseBytes("9223372036854775807"));

    [Theory]
    [InlineData("1", 1000L)]
    [InlineData("0.5", 500L)]
    [InlineData("1.25", 1250L)]
    [InlineData("500m", 500L)]
    [InlineData("2000m", 2000L)]
    [InlineData("0.001", 1L)]
    [InlineData("0", 0L)]
    [InlineData("64", 64000L)]
    public void ParseCpuMillis_AcceptedForm_ReturnsMillicores(string text, long expected) =>
        Assert.Equal(expected, Quantity.ParseCpuMillis(text));

    [Theory]
    [InlineData("-1", "is negative")]
    [InlineData("0.0005", "finer than one millicore")]
    [InlineData("1.5m", "finer than one millicore")]
    [InlineData("1Gi", "is not a CPU amount")]
    [InlineData("half", "is not a CPU amount")]
    [InlineData("1k", "is not a CPU amount")]
    [InlineData("99999999999999999999", "too large")]
    public void TryParseCpuMillis_Junk_FailsWithReason(string text, string reason)
    {
        Assert.False(Quantity.TryParseCpuMillis(text, out _, out var error));
        Assert.Contains(reason, error);
        Assert.Contains($"\"{text}\"", error);
    }

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(1000L, "1000")]
    [InlineData(1024L, "1Ki")]
    [InlineData(64L * 1024 * 1024, "64Mi")]
    [InlineData(1536L * 1024 * 1024, "1536Mi")]
    [InlineData(1L << 30, "1Gi")]
    public void FormatBytes_Value_ShortestExactForm(long bytes, string expected)
    {
        Assert.Equal(expected, Quantity.FormatBytes(bytes));
        Assert.Equal(bytes, Quantity.ParseBytes(expected));
    }

    [Theory]
    [InlineData(500L, "500m")]
    [InlineData(1000L, "1")]
    [InlineData(1250L, "1250m")]
    public void FormatCpuMillis_Value_KubernetesForm(long millis, string expected)
    {
        Assert.Equal(expected, Quantity.FormatCpuMillis(millis));
        Assert.Equal(millis, Quantity.ParseCpuMillis(expected));
    }
}
