using Islander.Controller.Hosting;
using Islander.Drivers.Runtime;
using Serilog.Events;
using Serilog.Parsing;

namespace Islander.Controller.Tests.Hosting;

public sealed class JournalFormatterTests
{
    static string Format(LogEventLevel level, string text, Exception? exception = null)
    {
        var template = new MessageTemplateParser().Parse(text);
        var e = new LogEvent(DateTimeOffset.UnixEpoch, level, exception, template, []);
        using var output = new StringWriter();
        new JournalFormatter().Format(e, output);
        return output.ToString();
    }

    [Theory]
    [InlineData(LogEventLevel.Verbose, "<7>")]
    [InlineData(LogEventLevel.Debug, "<7>")]
    [InlineData(LogEventLevel.Information, "<6>")]
    [InlineData(LogEventLevel.Warning, "<4>")]
    [InlineData(LogEventLevel.Error, "<3>")]
    [InlineData(LogEventLevel.Fatal, "<2>")]
    public void Format_Level_SdDaemonPrefixNoTimestamp(LogEventLevel level, string prefix) =>
        Assert.Equal($"{prefix}islanderd listening\n", Format(level, "islanderd listening"));

    [Fact]
    public void Format_MultiLineWithException_EveryLinePrefixed()
    {
        var output = Format(LogEventLevel.Error, "pass failed\nsecond line", new InvalidOperationException("boom"));

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("<3>pass failed", lines[0]);
        Assert.Equal("<3>second line", lines[1]);
        Assert.Equal("<3>System.InvalidOperationException: boom", lines[2]);
        Assert.All(lines, l => Assert.StartsWith("<3>", l, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("64768:1234", 64768UL, 1234UL)]
    [InlineData("8:0", 8UL, 0UL)]
    public void Parse_DeviceInode_Pair(string value, ulong device, ulong inode) =>
        Assert.Equal((device, inode), JournalStream.Parse(value));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1234")]
    [InlineData(":5")]
    [InlineData("5:")]
    [InlineData("-1:5")]
    [InlineData("a:b")]
    public void Parse_Malformed_Null(string? value) => Assert.Null(JournalStream.Parse(value));
}
