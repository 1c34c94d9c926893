using Islander.Drivers.Users;
using Islander.Model;

namespace Islander.Drivers.Tests.Users;

/// <summary>Docker's (runc's GetExecUser) rules, case by case.</summary>
public class IsleUserTests
{
    static readonly IReadOnlyList<PasswdEntry> Passwd = PasswdFile.ParseUsers("""
        root:x:0:0:root:/root:/bin/sh
        nginx:x:101:101:nginx:/var/cache/nginx:/sbin/nologin
        app:x:1000:1000::/home/app:/bin/sh
        dup:x:1000:5::/home/dup:/bin/sh
        """);

    static readonly IReadOnlyList<GroupEntry> Groups = PasswdFile.ParseGroups("""
        root:x:0:
        adm:x:4:app,other
        nginx:x:101:
        staff:x:50:app
        app:x:1000:
        again:x:50:app
        """);

    static IsleUser Resolve(string? user) => IsleUser.Resolve(user, Passwd, Groups);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("root")]
    public void Resolve_Root_HomeFromPasswd(string? user) =>
        Assert.Equal((0u, 0u, "/root"), (Resolve(user).Uid, Resolve(user).Gid, Resolve(user).Home));

    [Fact]
    public void Resolve_Name_PrimaryGidAndHomeFromPasswdPrimaryOnlySupplementary()
    {
        var u = Resolve("nginx");
        Assert.Equal((101u, 101u, "/var/cache/nginx"), (u.Uid, u.Gid, u.Home));
        Assert.Equal([101u], u.AdditionalGids);
    }

    [Fact]
    public void Resolve_NameInGroupMemberLists_SupplementaryGroupsOnceEach()
    {
        var u = Resolve("app");
        Assert.Equal((1000u, 1000u), (u.Uid, u.Gid));
        Assert.Equal([1000u, 4u, 50u], u.AdditionalGids);
    }

    [Fact]
    public void Resolve_UidWithPasswdEntry_FirstEntryLikeTheName()
    {
        var u = Resolve("1000");
        Assert.Equal((1000u, 1000u, "/home/app"), (u.Uid, u.Gid, u.Home));
        Assert.Equal([1000u, 4u, 50u], u.AdditionalGids);
    }

    [Fact]
    public void Resolve_UidWithoutPasswdEntry_Gid0HomeRoot() =>
        Assert.Equal(new IsleUser(4242, 0, [0], "/"), Resolve("4242"));

    [Theory]
    [InlineData("app:staff", 1000u, 50u)]
    [InlineData("app:77", 1000u, 77u)]
    [InlineData("4242:nginx", 4242u, 101u)]
    [InlineData("4242:4243", 4242u, 4243u)]
    [InlineData("nginx:0", 101u, 0u)]
    public void Resolve_ExplicitGroup_ReplacesPrimaryAndIsTheOnlySupplementary(string user, uint uid, uint gid)
    {
        var u = Resolve(user);
        Assert.Equal((uid, gid), (u.Uid, u.Gid));
        Assert.Equal([gid], u.AdditionalGids);
    }

    // CVE-2023-25173 (containerd), CVE-2022-36109 (moby): without its primary gid among the supplementary groups, a
    // process that runs a setgid program leaves its primary group, and a mode like 0604 no longer keeps it out.
    [Theory]
    [InlineData("root", 0u)]
    [InlineData("nginx", 101u)]
    [InlineData("app", 1000u)]
    [InlineData("dup", 5u)]
    [InlineData("4242", 0u)]
    [InlineData("app:staff", 50u)]
    public void Resolve_AnyUser_PrimaryGidIsTheFirstSupplementaryGroup(string user, uint gid)
    {
        var u = Resolve(user);
        Assert.Equal(gid, u.Gid);
        Assert.Equal(gid, u.AdditionalGids[0]);
        Assert.Single(u.AdditionalGids, g => g == gid);
    }

    [Fact]
    public void Resolve_UnknownName_NotFoundNamingTheUser()
    {
        var e = Assert.Throws<IslanderException>(() => Resolve("postgres"));
        Assert.Equal(ErrorCategory.NotFound, e.Category);
        Assert.Equal("user \"postgres\" not found in the isle's /etc/passwd", e.Message);
    }

    [Fact]
    public void Resolve_UnknownGroupName_NotFound()
    {
        var e = Assert.Throws<IslanderException>(() => Resolve("app:wheel"));
        Assert.Equal(ErrorCategory.NotFound, e.Category);
        Assert.Contains("group \"wheel\" not found", e.Message);
    }

    [Fact]
    public void Resolve_NoPasswdFile_NamesFailNumbersWork()
    {
        var e = Assert.Throws<IslanderException>(() => IsleUser.Resolve("nginx", null, null));
        Assert.Contains("has no /etc/passwd", e.Message);
        Assert.Equal(new IsleUser(1000, 1000, [1000], "/"), IsleUser.Resolve("1000:1000", null, null));
        Assert.Equal(IsleUser.Root, IsleUser.Resolve(null, null, null));
    }

    [Theory]
    [InlineData("a:b:c")]
    [InlineData(":5")]
    [InlineData("app:")]
    public void Resolve_NotAUser_InvalidManifest(string user) =>
        Assert.Equal(ErrorCategory.InvalidManifest, Assert.Throws<IslanderException>(() => Resolve(user)).Category);
}
