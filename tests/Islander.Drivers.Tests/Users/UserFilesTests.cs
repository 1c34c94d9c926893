using Islander.Drivers.Interop;
using Islander.Drivers.Users;
using Islander.Model;

namespace Islander.Drivers.Tests.Users;

/// <summary>The files are read from the isle's root, resolved inside it: never the host's.</summary>
public sealed class UserFilesTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("islander-users-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    void Write(string relative, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_root, relative))!);
        File.WriteAllText(Path.Combine(_root, relative), text);
    }

    [Fact]
    public void Resolve_FilesInRoot_NameAndGroups()
    {
        Write("etc/passwd", "root:x:0:0::/root:/bin/sh\nweb:x:81:82::/srv:/bin/sh\n");
        Write("etc/group", "web:x:82:\nlog:x:9:web\n");

        Assert.Equal(new IsleUser(81, 82, [82, 9], "/srv"), UserFiles.Resolve(_root, "web"));
    }

    [Fact]
    public void Resolve_NoEtc_NumericUsersStillRun()
    {
        Assert.Equal(IsleUser.Root, UserFiles.Resolve(_root, null));
        Assert.Equal(new IsleUser(5, 0, [0], "/"), UserFiles.Resolve(_root, "5"));
    }

    [Fact]
    public void Resolve_AbsoluteSymlinkToHostPasswd_ReadsTheRootsOwnNotTheHosts()
    {
        // The host has root in /etc/passwd; the rootfs links its passwd to "/etc/passwd.real"
        // (absolute: inside the root, that is the rootfs's own file) and etc/group to the host's
        // /etc/shadow, climbing with '..': clamped at the root, it names a file the root does not have.
        Assert.False(File.Exists("/etc/passwd.real"));
        Write("etc/passwd.real", "only:x:7:7::/only:/bin/sh\n");
        File.CreateSymbolicLink(Path.Combine(_root, "etc/passwd"), "/etc/passwd.real");
        File.CreateSymbolicLink(Path.Combine(_root, "etc/group"), "/../../../../etc/shadow");

        Assert.Equal(new IsleUser(7, 7, [7], "/only"), UserFiles.Resolve(_root, "only"));
        // root exists in the host's /etc/passwd, but not in the isle's.
        Assert.Equal(IsleUser.Root, UserFiles.Resolve(_root, "0"));
        Assert.Throws<IslanderException>(() => UserFiles.Resolve(_root, "root"));
        Assert.Contains("has no /etc/group", Assert.Throws<IslanderException>(() => UserFiles.Resolve(_root, "only:shadow")).Message);
    }

    [Fact]
    public void Resolve_DotDotSymlinkOutOfRoot_ClampedAtTheRoot()
    {
        // ../../../../etc/passwd from the root's etc/ climbs to the root, not to the host's /etc.
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        File.CreateSymbolicLink(Path.Combine(_root, "etc/passwd"), "../../../../../../etc/passwd");
        // Clamped, the link names the root's own etc/passwd: itself, so a loop, never the host's root entry.
        Assert.Contains("ELOOP", Assert.Throws<SyscallException>(() => UserFiles.Resolve(_root, "root")).Message);

        File.Delete(Path.Combine(_root, "etc/passwd"));
        Directory.CreateDirectory(Path.Combine(_root, "data"));
        File.WriteAllText(Path.Combine(_root, "data/passwd"), "dot:x:3:3::/:/bin/sh\n");
        File.CreateSymbolicLink(Path.Combine(_root, "etc/passwd"), "../../../../data/passwd");
        Assert.Equal(3u, UserFiles.Resolve(_root, "dot").Uid);
    }

    [Fact]
    public void Resolve_EtcIsSymlinkOutOfRoot_ResolvedInside()
    {
        Directory.CreateDirectory(Path.Combine(_root, "alt"));
        File.WriteAllText(Path.Combine(_root, "alt/passwd"), "alt:x:9:9::/:/bin/sh\n");
        File.CreateSymbolicLink(Path.Combine(_root, "etc"), "/alt");

        Assert.Equal(9u, UserFiles.Resolve(_root, "alt").Uid);
    }

    [Fact]
    public void Resolve_PasswdIsFifo_RefusedWithoutBlocking()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        Assert.Equal(0, Mkfifo(Path.Combine(_root, "etc/passwd"), 0b110_100_100));

        var e = Assert.Throws<IslanderException>(() => UserFiles.Resolve(_root, "root"));
        Assert.Contains("not a regular file", e.Message);
    }

    [Fact]
    public void Resolve_PasswdIsDirectory_Refused()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc/passwd"));
        Assert.Contains("not a regular file", Assert.Throws<IslanderException>(() => UserFiles.Resolve(_root, "root")).Message);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo")]
    static extern int Mkfifo(string path, uint mode);
}
