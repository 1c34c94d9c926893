using System.Runtime.CompilerServices;
using Islander.Drivers.Cgroups;

namespace Islander.Drivers.Tests.Cgroups;

/// <summary>
/// <see cref="ICgroupDriver.Stats"/> over control files in the kernel's formats (testdata/v1, testdata/v2: group
/// <c>islander/web</c> with limits and traffic, <c>islander/free</c> without limits). Reading needs no fake cgroupfs:
/// the drivers only read, so they run on the fixture directories as they are.
/// </summary>
public class CgroupStatsTests
{
    static string TestData([CallerFilePath] string thisFile = "") => Path.Combine(Path.GetDirectoryName(thisFile)!, "testdata");

    static readonly CgroupController[] V1Hierarchies = [CgroupController.Memory, CgroupController.CpuAcct, CgroupController.Pids, CgroupController.Io];

    static ICgroupDriver V1() => new CgroupV1Driver(Path.Combine(TestData(), "v1"), "islander", V1Hierarchies);

    static ICgroupDriver V2() => new CgroupV2Driver(Path.Combine(TestData(), "v2"), "islander");

    /// <summary>Both fixtures hold the same numbers, each in its version's files.</summary>
    public static TheoryData<string> Versions => ["v1", "v2"];

    static ICgroupDriver Driver(string version) => version == "v1" ? V1() : V2();

    [Theory]
    [MemberData(nameof(Versions))]
    public void Stats_LimitedGroup_WorkingSetLimitsCpuPidsAndIo(string version)
    {
        var stats = Driver(version).Stats("web", TestContext.Current.CancellationToken);

        // 34582528 in use less 3452928 of inactive file cache (v1: total_inactive_file, not the group-local inactive_file).
        Assert.Equal(31129600, stats.MemoryBytes);
        Assert.Equal(64L << 20, stats.MemoryLimit);
        Assert.Equal(TimeSpan.FromSeconds(2.5), stats.CpuTime);
        Assert.Equal(2, stats.Pids);
        Assert.Equal(64, stats.PidsLimit);
        Assert.Equal(2, stats.OomKills);
        // Summed over both devices: 1 MiB + 512 read, 4 KiB + 8 KiB written (v1: the _recursive file, Read and Write lines only).
        Assert.Equal(1048576 + 512, stats.IoReadBytes);
        Assert.Equal(4096 + 8192, stats.IoWriteBytes);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Stats_UnlimitedGroup_NullLimitsAndZeroIo(string version)
    {
        var stats = Driver(version).Stats("free", TestContext.Current.CancellationToken);

        Assert.Equal(4096, stats.MemoryBytes); // v2: inactive_file larger than the usage is not subtracted
        Assert.Null(stats.MemoryLimit);
        Assert.Null(stats.PidsLimit);
        Assert.Equal(1, stats.Pids);
        Assert.Equal(TimeSpan.Zero, stats.CpuTime);
        Assert.Equal(0, stats.OomKills);
        Assert.Equal(0, stats.IoReadBytes);
        Assert.Equal(0, stats.IoWriteBytes);
    }

    [Fact]
    public void Stats_V1WithoutHierarchies_NullCounters()
    {
        var driver = new CgroupV1Driver(Path.Combine(TestData(), "v1"), "islander", [CgroupController.Memory]);

        var stats = driver.Stats("web", TestContext.Current.CancellationToken);

        Assert.Equal(31129600, stats.MemoryBytes);
        Assert.Null(stats.CpuTime);
        Assert.Null(stats.Pids);
        Assert.Null(stats.PidsLimit);
        Assert.Null(stats.IoReadBytes);
    }

    [Theory]
    [InlineData("8:0 Read 10\n8:0 Write 20\n8:0 Sync 30\n8:0 Async 0\n8:0 Discard 5\n8:0 Total 30\n8:16 Read 1\n8:16 Write 2\nTotal 33\n", 11, 22)]
    [InlineData("Total 0\n", 0, 0)]
    [InlineData("", 0, 0)]
    public void V1IoServiceBytes_SumsReadAndWriteOverDevices(string content, long read, long write) =>
        Assert.Equal((read, write), CgroupText.V1IoServiceBytes(content));

    [Theory]
    [InlineData("8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=7 dios=1\n8:16 rbytes=1 wbytes=2 rios=1 wios=1 dbytes=0 dios=0\n", 11, 22)]
    [InlineData("", 0, 0)]
    public void V2IoStat_SumsRbytesAndWbytesOverDevices(string content, long read, long write) =>
        Assert.Equal((read, write), CgroupText.V2IoStat(content));

    [Fact]
    public void IoParsers_MissingFile_Null()
    {
        Assert.Null(CgroupText.V1IoServiceBytes(null));
        Assert.Null(CgroupText.V2IoStat(null));
    }

    [Theory]
    [InlineData(1000L, "inactive_file 300\n", 700L)]
    [InlineData(1000L, "inactive_file 3000\n", 1000L)]
    [InlineData(1000L, "anon 1000\n", 1000L)]
    [InlineData(1000L, null, 1000L)]
    [InlineData(null, "inactive_file 3\n", null)]
    public void WorkingSet_SubtractsInactiveFileWhenSmaller(long? usage, string? stat, long? expected) =>
        Assert.Equal(expected, CgroupText.WorkingSet(usage, stat, "inactive_file"));
}
