namespace Islander.Model.Tests.Loading;

/// <summary><c>logging:</c> in an isle's spec, its problems with file, line and field, and the times of isle logs.</summary>
public sealed class IsleLoggingTests
{
    static ManifestLoadResult<Manifest> Load(string logging) => ManifestLoader.Load(
        $"apiVersion: islander.io/v1\nkind: Isle\nmetadata: {{name: t}}\nspec:\n  image: busybox\n  logging: {logging}\n", "t.yaml",
        Islander.Drivers.DriverCatalogs.Known);

    [Theory]
    [InlineData("{maxSize: 10Mi, maxFiles: 3}", LogDriver.JsonFile, 10L << 20, 3)]
    [InlineData("{driver: json-file, maxSize: 128Ki}", LogDriver.JsonFile, 128L << 10, null)]
    [InlineData("{driver: journald}", LogDriver.Journald, null, null)]
    [InlineData("{}", LogDriver.JsonFile, null, null)]
    public void Load_Logging_Read(string logging, LogDriver driver, long? maxSize, int? maxFiles)
    {
        var result = Load(logging);

        Assert.Empty(result.Diagnostics);
        var spec = Assert.IsType<IsleManifest>(Assert.Single(result.Objects)).Spec;
        Assert.Equal(new IsleLogging { Driver = driver, MaxSize = maxSize, MaxFiles = maxFiles }, spec.Logging);
    }

    [Theory]
    [InlineData("{driver: syslog}", 6, 21, "spec.logging.driver", "\"syslog\" is not a log driver; use json-file (the default) or journald")]
    [InlineData("{driver: jsonfile}", 6, 21, "spec.logging.driver", "did you mean json-file?")]
    [InlineData("{maxSize: 64Ki}", 6, 22, "spec.logging.maxSize", "below 128Ki")]
    [InlineData("{maxSize: 10Q}", 6, 22, "spec.logging.maxSize", "")]
    [InlineData("{maxFiles: 0}", 6, 23, "spec.logging.maxFiles", "out of range")]
    [InlineData("{maxFiles: 101}", 6, 23, "spec.logging.maxFiles", "out of range")]
    [InlineData("{driver: journald, maxSize: 10Mi}", 6, 40, "spec.logging.maxSize", "the journal keeps its own limits")]
    [InlineData("{maxsize: 10Mi}", 6, 13, "spec.logging.maxsize", "did you mean maxSize?")]
    [InlineData("json-file", 6, 12, "spec.logging", "expected a mapping of fields (driver, maxSize, maxFiles)")]
    public void Load_BadLogging_FileLineField(string logging, int line, int column, string field, string message)
    {
        var d = Assert.Single(Load(logging).Diagnostics);

        Assert.Equal(("t.yaml", line, column, field), (d.File, d.Line, d.Column, d.Field));
        Assert.Contains(message, d.Message);
    }

    [Fact]
    public void SpecHash_WithoutLogging_Unchanged()
    {
        // The hash of a spec that does not use logging is the one it had before logging existed: no isle is recreated
        // by the upgrade.
        var spec = new IsleSpec { Image = "busybox" };

        Assert.Equal(SpecHash.Of(spec), SpecHash.Of(spec with { Logging = null }));
        Assert.DoesNotContain("Logging", SpecHash.CanonicalJson(spec));
        Assert.NotEqual(SpecHash.Of(spec), SpecHash.Of(spec with { Logging = new IsleLogging { MaxFiles = 5 } }));
    }

    [Theory]
    [InlineData("2026-12-05T06:20:46.123456789Z", "2026-12-05T06:20:46.1234567+00:00")]
    [InlineData("2026-12-05T06:20:46Z", "2026-12-05T06:20:46.0000000+00:00")]
    [InlineData("2026-12-05T08:20:46.5+02:00", "2026-12-05T06:20:46.5000000+00:00")]
    public void LogTime_Rfc3339_NanosecondsCut(string text, string expected)
    {
        Assert.True(LogTime.TryParse(text, out var t));
        Assert.Equal(expected, t.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("2026-12-05")]
    [InlineData("06:20:46")]
    [InlineData("2026-12-05T06:20:46")]
    [InlineData("yesterday")]
    public void LogTime_NotRfc3339_Refused(string text) => Assert.False(LogTime.TryParse(text, out _));

    [Theory]
    [InlineData("10m", "2026-12-05T06:10:00.0000000+00:00")]
    [InlineData("1h30m", "2026-12-05T04:50:00.0000000+00:00")]
    [InlineData("1764915600", "2025-12-05T06:20:00.0000000+00:00")]
    [InlineData("1764915600.5", "2025-12-05T06:20:00.5000000+00:00")]
    [InlineData("2026-12-05T06:00:00Z", "2026-12-05T06:00:00.0000000+00:00")]
    public void LogTime_SinceForms_AsDocker(string text, string expected)
    {
        var now = new DateTimeOffset(2026, 12, 5, 6, 20, 0, TimeSpan.Zero);

        Assert.True(LogTime.TryParseSince(text, now, out var t));
        Assert.Equal(expected, t.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void LogTime_Format_NineDigitsUtcAsTheShim() =>
        Assert.Equal("2026-12-05T06:20:46.123456700Z", LogTime.Format(new DateTimeOffset(2026, 12, 5, 8, 20, 46, TimeSpan.FromHours(2)).AddTicks(1234567)));
}
