using Islander.Drivers.Runtime;

namespace Islander.Drivers.Tests.Runtime;

public class ShimReportTests
{
    [Fact]
    public void Parse_PidLine_InitAndShimPids() =>
        Assert.Equal(new ShimReport.Pid(1234, 1233), ShimReport.Parse("PID 1234 1233"));

    [Fact]
    public void Parse_Started_Started() =>
        Assert.IsType<ShimReport.Started>(ShimReport.Parse("STARTED"));

    [Fact]
    public void Parse_Error_OpPathErrno() =>
        Assert.Equal(new ShimReport.Error("execve", "/bin/nope", 2), ShimReport.Parse("ERROR execve\t/bin/nope\t2"));

    [Fact]
    public void Parse_ErrorWithoutPath_NullPath() =>
        Assert.Equal(new ShimReport.Error("clone", null, 1), ShimReport.Parse("ERROR clone\t\t1"));

    [Fact]
    public void Parse_ErrorPathWithTab_KeepsWholePath() =>
        Assert.Equal(new ShimReport.Error("mount", "/r/a\tb", 13), ShimReport.Parse("ERROR mount\t/r/a\tb\t13"));

    [Fact]
    public void Parse_Exit_CodeAndSignal() =>
        Assert.Equal(new ShimReport.Exited(0, 9), ShimReport.Parse("EXIT 0 9"));

    [Theory]
    [InlineData("")]
    [InlineData("EXIT 3")]
    [InlineData("EXIT -1 0")]
    [InlineData("PID 12")]
    [InlineData("PID -1 2")]
    [InlineData("PID x 2")]
    [InlineData("ERROR execve /bin/nope 2")]
    [InlineData("ERROR execve\t/bin/nope\tENOENT")]
    [InlineData("started")]
    public void Parse_Garbage_FormatException(string line) =>
        Assert.Throws<FormatException>(() => ShimReport.Parse(line));
}
