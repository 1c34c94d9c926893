using Islander.Drivers.Runtime;

namespace Islander.Drivers.Tests.Runtime;

public class IsleExitStatusTests
{
    [Fact]
    public void Parse_NormalExit_CodeIsExitCode()
    {
        var s = IsleExitStatus.Parse("exitCode=42\nsignal=0\noomKilled=0\nstartedAt=1000\nfinishedAt=2500\n");

        Assert.Equal(new IsleExitStatus(42, 0, false, DateTimeOffset.FromUnixTimeMilliseconds(1000), DateTimeOffset.FromUnixTimeMilliseconds(2500)), s);
        Assert.Equal(42, s.Code);
    }

    [Fact]
    public void Parse_KilledBySignal_Code128PlusSignal()
    {
        var s = IsleExitStatus.Parse("exitCode=0\nsignal=9\noomKilled=1\nstartedAt=1\nfinishedAt=2\n");

        Assert.Equal(9, s.Signal);
        Assert.True(s.OomKilled);
        Assert.Equal(137, s.Code);
    }

    [Fact]
    public void Parse_NeverStarted_StartedAtNull() =>
        Assert.Null(IsleExitStatus.Parse("exitCode=127\nsignal=0\noomKilled=0\nstartedAt=0\nfinishedAt=2\n").StartedAt);

    [Fact]
    public void Parse_UnknownKeys_Ignored() =>
        Assert.Equal(3, IsleExitStatus.Parse("exitCode=3\nsignal=0\nfinishedAt=2\nfuture=7\n").ExitCode);

    [Theory]
    [InlineData("signal=0\nfinishedAt=2\n")]
    [InlineData("exitCode=x\nsignal=0\nfinishedAt=2\n")]
    [InlineData("")]
    public void Parse_MissingOrBadKey_FormatException(string text) =>
        Assert.Throws<FormatException>(() => IsleExitStatus.Parse(text));
}
