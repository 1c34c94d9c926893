using System.Text.RegularExpressions;
using Islander.Integration.Tests.Daemon;
using Islander.Testing;

namespace Islander.Integration.Tests.Package;

/// <summary>
/// README.md's "Installing the package" block (its second shell block), read from the README at test time by the one
/// reader the README's tests share (<see cref="ReadmeCommand"/>). Its first command builds the package every package
/// test uses (<see cref="DebPackages"/>); the others run as written in a Debian machine under systemd
/// (<see cref="DebUnderSystemdTests"/>); the README's tour test checks that the block is still this one.
/// </summary>
internal static partial class ReadmePackageBlock
{
    public const int Block = 2;

    /// <summary>The block's commands without their comments. The tests check what each comment promises: a change of the
    /// block must come with a change of them.</summary>
    public static readonly string[] Expected =
    [
        "scripts/package.sh",
        "apt-get install ./artifacts/deb/islander_*.deb",
        "systemctl status islanderd",
        "cp examples/image.yaml /etc/islander/manifests/",
        "adduser \"$SUDO_USER\" islander",
        "islanderctl get isles",
    ];

    /// <summary>The block's commands as written (comments included); fails the test when they are not <see cref="Expected"/>.</summary>
    public static IReadOnlyList<ReadmeCommand> Read()
    {
        var commands = ReadmeCommand.Parse(Path.Combine(TestRootfs.RepoRoot, "README.md")).Where(c => c.Block == Block).ToList();
        Assert.Equal(Expected, commands.Select(WithoutComment).ToArray());
        return commands;
    }

    public static string WithoutComment(ReadmeCommand c) => Comment().Replace(c.Text, "");

    [GeneratedRegex(@"\s+#.*$")]
    private static partial Regex Comment();
}
