using Islander.Drivers.Security;
using Islander.Model;

namespace Islander.Drivers.Tests.Security;

public class CapabilityPolicyTests
{
    static CapabilitySet Kept(string[]? add = null, string[]? drop = null, bool privileged = false) =>
        CapabilityPolicy.Kept(new IsleSecurity { CapAdd = add ?? [], CapDrop = drop ?? [], Privileged = privileged });

    [Fact]
    public void DockerDefault_HasDockersFourteenCapabilities()
    {
        Assert.Equal(
            ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID",
             "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SYS_CHROOT", "CAP_MKNOD", "CAP_AUDIT_WRITE", "CAP_SETFCAP"],
            CapabilityNames.Names(CapabilityPolicy.DockerDefault));
    }

    [Fact]
    public void Kept_NoChanges_IsDockerDefault() => Assert.Equal(CapabilityPolicy.DockerDefault, Kept());

    [Fact]
    public void Kept_Privileged_IsAll()
    {
        Assert.Equal(CapabilitySet.All, Kept(privileged: true, drop: ["ALL"]));
        Assert.Equal((1UL << 41) - 1, (ulong)CapabilitySet.All);
    }

    [Theory]
    [InlineData("NET_ADMIN")]
    [InlineData("net_admin")]
    [InlineData("CAP_NET_ADMIN")]
    [InlineData("cap_Net_Admin")]
    public void Kept_AddAnySpelling_AddsCapability(string name) =>
        Assert.Equal(CapabilityPolicy.DockerDefault | CapabilitySet.NetAdmin, Kept(add: [name]));

    [Fact]
    public void Kept_Drop_RemovesFromDefault() =>
        Assert.Equal(CapabilityPolicy.DockerDefault & ~(CapabilitySet.NetRaw | CapabilitySet.Mknod), Kept(drop: ["NET_RAW", "cap_mknod"]));

    [Fact]
    public void Kept_DropAllAddSome_IsOnlyTheAdded() =>
        Assert.Equal(CapabilitySet.Chown | CapabilitySet.NetBindService, Kept(add: ["CHOWN", "NET_BIND_SERVICE"], drop: ["ALL"]));

    [Fact]
    public void Kept_AddAllDropSome_IsAllButTheDropped() =>
        Assert.Equal(CapabilitySet.All & ~CapabilitySet.SysAdmin, Kept(add: ["all"], drop: ["SYS_ADMIN"]));

    [Fact]
    public void Kept_AddAllAndDropAll_IsAll_AsDocker() => Assert.Equal(CapabilitySet.All, Kept(add: ["ALL"], drop: ["ALL"]));

    [Fact]
    public void Kept_DropAndAddSame_KeepsIt_AsDocker() =>
        Assert.Equal(CapabilityPolicy.DockerDefault, Kept(add: ["CHOWN"], drop: ["CHOWN"]));

    [Fact]
    public void Kept_UnknownNames_ThrowInvalidManifestNamingEach()
    {
        var e = Assert.Throws<IslanderException>(() => Kept(add: ["NET_ADMIN", "NET_ADMN"], drop: ["FOO"]));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
        Assert.Contains("\"NET_ADMN\" (security.capAdd[1])", e.Message);
        Assert.Contains("\"FOO\" (security.capDrop[0])", e.Message);
        Assert.Contains("CAP_ prefix", e.Message);
    }

    [Fact]
    public void Kept_UnknownNameWhenPrivileged_StillThrows() =>
        Assert.Throws<IslanderException>(() => Kept(add: ["BOGUS"], privileged: true));
}
