using Islander.Drivers.Volumes;
using Islander.Drivers.Volumes.Btrfs;
using Islander.Model;

namespace Islander.Drivers.Tests.Volumes.Btrfs;

public class BtrfsQgroupUsageTests
{
    [Fact]
    public void Parse_NoLimit_IsNull() => Assert.Equal(new BtrfsQgroupUsage(16384, null), BtrfsQgroupUsage.Parse("16384\n", "0\n"));

    [Fact]
    public void Parse_Limit_IsBytes() => Assert.Equal(new BtrfsQgroupUsage(1048576, 16777216), BtrfsQgroupUsage.Parse("1048576\n", "16777216\n"));

    [Fact]
    public void Read_FromASysfsTree()
    {
        var sysfs = Directory.CreateTempSubdirectory("islander-test-sysfs-").FullName;
        try
        {
            var dir = Path.Combine(BtrfsQgroupUsage.QgroupsDirectory("uuid", sysfs), "0_257");
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "referenced"), "20480\n");
            File.WriteAllText(Path.Combine(dir, "max_referenced"), "0\n");

            Assert.Equal(new BtrfsQgroupUsage(20480, null), BtrfsQgroupUsage.Read(BtrfsQgroupUsage.QgroupsDirectory("uuid", sysfs), 257));
            Assert.Null(BtrfsQgroupUsage.Read(BtrfsQgroupUsage.QgroupsDirectory("uuid", sysfs), 258));
        }
        finally
        {
            Directory.Delete(sysfs, recursive: true);
        }
    }
}
