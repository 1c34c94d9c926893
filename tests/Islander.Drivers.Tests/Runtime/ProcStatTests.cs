using Islander.Drivers.Runtime;

namespace Islander.Drivers.Tests.Runtime;

public class ProcStatTests
{
    [Fact]
    public void StartTime_CommWithSpacesAndParens_Field22()
    {
        const string stat = "4242 (a b) c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100 0 0 0";

        Assert.Equal(987654UL, ProcStat.StartTime(stat));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1 (x) S 1 2")]
    public void StartTime_Malformed_Null(string stat) => Assert.Null(ProcStat.StartTime(stat));

    [Theory]
    [InlineData("4242 (islander:shim) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000", 'S', false)]
    [InlineData("4242 (islander:shim) Z 1 4242 4242 0 -1 4227404 31 50 0 0 0 0 0 2 20 0 1 0 987654 0", 'Z', true)]
    [InlineData("4242 (a) Z) X 1 4242 4242 0 -1 4227404 31 50 0 0 0 0 0 2 20 0 1 0 987654 0", 'X', true)]
    public void State_CommWithParens_Field3(string stat, char state, bool ended)
    {
        Assert.Equal(state, ProcStat.State(stat));
        Assert.Equal(ended, ProcStat.Ended(stat));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1 (x)")]
    public void State_Malformed_Null(string stat) => Assert.Null(ProcStat.State(stat));

    [Theory]
    [InlineData("4242 (islander:shim) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000", 987654UL, true)]
    [InlineData("4242 (islander:shim) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000", 0UL, true)]
    [InlineData("4242 (islander:shim) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000", 5UL, false)] // another process, same pid
    [InlineData("4242 (islander:shim) Z 1 4242 4242 0 -1 4227404 31 50 0 0 0 0 0 2 20 0 1 0 987654 0", 987654UL, false)] // exited, not reaped yet
    public void IsLogging_ShimState_WritesOnlyWhileAlive(string stat, ulong shimStartTime, bool logging) =>
        Assert.Equal(logging, IsleRuntime.IsLogging(stat, shimStartTime));
}
