using System.Buffers.Binary;
using System.Text;
using Islander.Drivers.Volumes.Btrfs;

namespace Islander.Drivers.Tests.Volumes.Btrfs;

/// <summary>
/// The ioctl numbers and argument layouts against linux/btrfs.h (kernel 6.18 headers). The expected values were
/// printed by a C program that included the header: sizeof, offsetof and each BTRFS_IOC_* as hex.
/// </summary>
public class BtrfsIoctlTests
{
    [Theory]
    [InlineData("SubvolCreate", 0x5000940eUL)]
    [InlineData("SnapDestroy", 0x5000940fUL)]
    [InlineData("SnapDestroyV2", 0x5000943fUL)]
    [InlineData("SnapCreateV2", 0x50009417UL)]
    [InlineData("InoLookup", 0xd0009412UL)]
    [InlineData("QuotaCtl", 0xc0109428UL)]
    [InlineData("QgroupLimit", 0x8030942bUL)]
    [InlineData("QuotaRescanWait", 0x942eUL)]
    [InlineData("FsInfo", 0x8400941fUL)]
    public void Number_MatchesTheKernelHeader(string ioctl, ulong expected)
    {
        var value = (ulong)typeof(BtrfsIoctl).GetField(ioctl)!.GetValue(null)!;
        Assert.Equal(expected, value);
    }

    [Fact]
    public void Sizes_MatchTheKernelHeader()
    {
        Assert.Equal(4096, BtrfsIoctl.VolArgs("a").Length);
        Assert.Equal(4096, BtrfsIoctl.VolArgsV2(0, BtrfsSubvolFlags.None, "a").Length);
        Assert.Equal(48, BtrfsIoctl.QgroupLimitArgs(256, 1).Length);
        Assert.Equal(16, BtrfsIoctl.QuotaCtlArgs(BtrfsQuotaCommand.Enable).Length);
        Assert.Equal(4096, BtrfsIoctl.InoLookupArgs().Length);
    }

    [Fact]
    public void VolArgs_NameAfterTheFdAndNulTerminated()
    {
        var args = BtrfsIoctl.VolArgs("data");
        Assert.Equal(0, BinaryPrimitives.ReadInt64LittleEndian(args));
        Assert.Equal("data\0"u8.ToArray(), args[8..13]);
        Assert.All(args[12..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void VolArgsV2_FdFlagsAndNameAtTheirOffsets()
    {
        var args = BtrfsIoctl.VolArgsV2(7, BtrfsSubvolFlags.ReadOnly, "s1");
        Assert.Equal(7, BinaryPrimitives.ReadInt64LittleEndian(args));
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(args.AsSpan(8)));  // transid
        Assert.Equal(2UL, BinaryPrimitives.ReadUInt64LittleEndian(args.AsSpan(16))); // BTRFS_SUBVOL_RDONLY
        Assert.All(args[24..56], b => Assert.Equal(0, b));                         // size, qgroup_inherit
        Assert.Equal("s1\0"u8.ToArray(), args[56..59]);
    }

    [Fact]
    public void VolArgsV2ById_SetsSpecByIdAndTheId()
    {
        var args = BtrfsIoctl.VolArgsV2ById(258);
        Assert.Equal(16UL, BinaryPrimitives.ReadUInt64LittleEndian(args.AsSpan(16)));
        Assert.Equal(258UL, BinaryPrimitives.ReadUInt64LittleEndian(args.AsSpan(56)));
    }

    [Fact]
    public void QgroupLimitArgs_SetsTheReferencedLimit()
    {
        var args = BtrfsIoctl.QgroupLimitArgs(257, 16 << 20);
        Assert.Equal(257UL, BinaryPrimitives.ReadUInt64LittleEndian(args));
        Assert.Equal(1UL, BinaryPrimitives.ReadUInt64LittleEndian(args.AsSpan(8)));         // BTRFS_QGROUP_LIMIT_MAX_RFER
        Assert.Equal(16UL << 20, BinaryPrimitives.ReadUInt64LittleEndian(args.AsSpan(16)));  // max_rfer
        Assert.All(args[24..], b => Assert.Equal(0, b));                                    // max_excl, rsv_*
    }

    [Fact]
    public void QgroupLimitArgs_NoSize_ClearsWithAllOnes()
    {
        var args = BtrfsIoctl.QgroupLimitArgs(257, null);
        Assert.Equal(ulong.MaxValue, BinaryPrimitives.ReadUInt64LittleEndian(args.AsSpan(16)));
    }

    [Fact]
    public void InoLookupArgs_AsksForObjectId256AndReadsTheTreeIdBack()
    {
        var args = BtrfsIoctl.InoLookupArgs();
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(args));
        Assert.Equal(256UL, BinaryPrimitives.ReadUInt64LittleEndian(args.AsSpan(8)));
        BinaryPrimitives.WriteUInt64LittleEndian(args, 261);
        Assert.Equal(261UL, BtrfsIoctl.InoLookupTreeId(args));
    }

    [Fact]
    public void FsInfoUuid_FormatsTheFsidInByteOrder()
    {
        var args = new byte[BtrfsIoctl.FsInfoArgsSize];
        Convert.FromHexString("00eea6d2d4d04dab865d2d6c61da0f71").CopyTo(args, 16);
        Assert.Equal("00eea6d2-d4d0-4dab-865d-2d6c61da0f71", BtrfsIoctl.FsInfoUuid(args));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    public void VolArgs_NameThatCannotBeASubvolume_Throws(string name) =>
        Assert.Throws<ArgumentException>(() => BtrfsIoctl.VolArgs(name));

    [Fact]
    public void VolArgsV2_NameLongerThanTheField_Throws() =>
        Assert.Throws<ArgumentException>(() => BtrfsIoctl.VolArgsV2(0, 0, new string('a', BtrfsIoctl.SubvolNameMax + 1)));

    [Fact]
    public void VolArgsV2_LongestName_KeepsItsNul()
    {
        var args = BtrfsIoctl.VolArgsV2(0, 0, new string('a', BtrfsIoctl.SubvolNameMax));
        Assert.Equal(0, args[^1]);
        Assert.Equal(new string('a', BtrfsIoctl.SubvolNameMax), Encoding.ASCII.GetString(args, 56, BtrfsIoctl.SubvolNameMax));
    }
}
