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
}
