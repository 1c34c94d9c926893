using Islander.Drivers.Users;

namespace Islander.Drivers.Tests.Users;

public class PasswdFileTests
{
    [Fact]
    public void ParseUsers_DebianPasswd_NameIdsHome()
    {
        const string passwd = """
            root:x:0:0:root:/root:/bin/bash
            www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
            nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
            """;

        var users = PasswdFile.ParseUsers(passwd);

        Assert.Equal([
            new PasswdEntry("root", 0, 0, "/root"),
            new PasswdEntry("www-data", 33, 33, "/var/www"),
            new PasswdEntry("nobody", 65534, 65534, "/nonexistent"),
        ], users);
    }

    [Fact]
    public void ParseUsers_CommentsBlankNisCrlfAndShortLines_Skipped()
    {
        var users = PasswdFile.ParseUsers("# users\n\n+@nis::::::\n-bad\napp:x:1000:1000::/home/app:/bin/sh\r\nshort:x:5\n   \n");

        Assert.Equal([new PasswdEntry("app", 1000, 1000, "/home/app")], users);
    }

    [Theory]
    [InlineData("evil:x:abc:0::/:/bin/sh")]
    [InlineData("evil:x:-1:0::/:/bin/sh")]
    [InlineData("evil:x:4294967295:0::/:/bin/sh")]
    [InlineData("evil:x: 1:0::/:/bin/sh")]
    [InlineData("evil:x:1:x::/:/bin/sh")]
    [InlineData(":x:1:1::/:/bin/sh")]
    public void ParseUsers_MalformedIds_LineSkippedNeverRoot(string line) =>
        Assert.Empty(PasswdFile.ParseUsers(line));

    [Fact]
    public void ParseUsers_NoHomeField_EmptyHome() =>
        Assert.Equal([new PasswdEntry("min", 7, 8, "")], PasswdFile.ParseUsers("min:x:7:8"));

    [Fact]
    public void ParseGroups_MembersSplitEmptyListsEmpty()
    {
        var groups = PasswdFile.ParseGroups("root:x:0:\nadm:x:4:syslog,app\nusers:x:100:app, web ,\n#c:x:9:\nbad:x:y:app\n");

        Assert.Equal(3, groups.Count);
        Assert.Equal(("root", 0u), (groups[0].Name, groups[0].Gid));
        Assert.Empty(groups[0].Members);
        Assert.Equal(["syslog", "app"], groups[1].Members);
        Assert.Equal(["app", "web"], groups[2].Members);
    }

    [Fact]
    public void ParseGroups_NoMemberField_NoMembers() =>
        Assert.Empty(Assert.Single(PasswdFile.ParseGroups("staff:x:50")).Members);
}
