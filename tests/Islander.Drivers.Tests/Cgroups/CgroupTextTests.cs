using Islander.Drivers.Cgroups;

namespace Islander.Drivers.Tests.Cgroups;

public class CgroupTextTests
{
    [Fact]
    public void Pids_Lines_Parsed() => Assert.Equal([12, 345], CgroupText.Pids("12\n345\n"));

    [Fact]
    public void Pids_Missing_Empty() => Assert.Empty(CgroupText.Pids(null));

    [Fact]
    public void Keyed_OomControl_OomKill() =>
        Assert.Equal(3, CgroupText.Keyed("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n", "oom_kill"));

    [Fact]
    public void Keyed_MemoryEvents_OomKillNotOom() =>
        Assert.Equal(1, CgroupText.Keyed("low 0\nhigh 0\nmax 7\noom 2\noom_kill 1\noom_group_kill 0\n", "oom_kill"));

    [Fact]
    public void Keyed_Absent_Null() => Assert.Null(CgroupText.Keyed("usage_usec 10\n", "oom_kill"));

    [Theory]
    [InlineData("67108864\n", 67108864L)]
    [InlineData("9223372036854771712\n", null)]
    [InlineData("-1", null)]
    [InlineData(null, null)]
    public void V1MemoryLimit_UnlimitedIsNull(string? content, long? expected) =>
        Assert.Equal(expected, CgroupText.V1MemoryLimit(content));

    [Fact]
    public void Number_Max_Null() => Assert.Null(CgroupText.Number("max\n"));

    [Fact]
    public void Controllers_SpaceSeparated() =>
        Assert.Equal(new HashSet<string> { "cpu", "io", "memory" }, CgroupText.Controllers("cpu io memory\n"));

    [Fact]
    public void ThrottledDevices_V1AndV2Lines() =>
        Assert.Equal([new DeviceNumber(8, 0), new DeviceNumber(254, 16)],
            CgroupText.ThrottledDevices("8:0 1048576\n254:16 rbps=max wbps=10 riops=max wiops=max\n"));

    [Theory]
    [InlineData("8:0", true)]
    [InlineData("136:*", false)]
    [InlineData("8", false)]
    [InlineData(":1", false)]
    public void DeviceNumber_TryParse(string text, bool ok) => Assert.Equal(ok, DeviceNumber.TryParse(text, out _));
}
