namespace Islander.Integration.Tests.Package;

/// <summary>
/// The package built once per test run by the README's <c>scripts/package.sh</c>, as written, into artifacts/deb/
/// (<see cref="First"/>, version <see cref="FirstVersion"/> through ISLANDER_VERSION), and <see cref="Upgrade"/>: the
/// same package at a higher version to upgrade to. Removed when the test process ends.
/// </summary>
/// <remarks>
/// The upgrade is the first package unpacked and rebuilt with dpkg-deb under <see cref="UpgradeVersion"/>, not a second
/// run of package.sh: dpkg's upgrade path (the old prerm's <c>upgrade</c>, the unpack over the old files, the new postinst's
/// <c>configure OLD</c>) depends on the versions and the maintainer scripts, not on the binaries, and a second build would
/// double the run time (minutes on a busy machine).
/// </remarks>
public sealed class DebPackages
{
    public const string FirstVersion = "0.9.0+test1";
    public const string UpgradeVersion = "0.9.0+test2";

    static readonly Lazy<DebPackages> Built = new(Build);

    public static DebPackages Get() => Built.Value;

    public required string First { get; init; }
    public required string Upgrade { get; init; }

    static DebPackages Build()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"islander-test-deb-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); };
        // ISLANDER_TEST_DEB=FILE reruns these tests on a package built before (package.sh with ISLANDER_VERSION=0.9.0+test1).
        string deb = Environment.GetEnvironmentVariable("ISLANDER_TEST_DEB") is { Length: > 0 } prebuilt ? prebuilt : BuildFirst();
        Assert.Equal(FirstVersion, Command.Ok("dpkg-deb", ["-f", deb, "Version"], TimeSpan.FromSeconds(30)).Trim());

        string tree = Path.Combine(dir, "tree");
        Command.Ok("dpkg-deb", ["-R", deb, tree], TimeSpan.FromMinutes(2));
        string control = Path.Combine(tree, "DEBIAN", "control");
        File.WriteAllText(control, File.ReadAllText(control).Replace($"Version: {FirstVersion}\n", $"Version: {UpgradeVersion}\n", StringComparison.Ordinal));
        string upgrade = Path.Combine(dir, $"islander_{UpgradeVersion}_amd64.deb");
        Command.Ok("dpkg-deb", ["--root-owner-group", "-Zgzip", "--build", tree, upgrade], TimeSpan.FromMinutes(5));
        Directory.Delete(tree, recursive: true);
        return new DebPackages { First = deb, Upgrade = upgrade };
    }

    /// <summary>
    /// The README's first command of its package block as written (<c>scripts/package.sh</c>, from the checkout's root:
    /// the .deb lands in artifacts/deb/, its path printed last), at <see cref="FirstVersion"/>. The only package build of a
    /// test run. The .deb goes when the test process ends; artifacts/deb/ too, when this made it and nothing else is in it.
    /// </summary>
    static string BuildFirst()
    {
        var command = ReadmePackageBlock.Read()[0];
        string artifacts = Path.Combine(Islander.Testing.TestRootfs.RepoRoot, "artifacts");
        string outDir = Path.Combine(artifacts, "deb");
        bool made = !Directory.Exists(artifacts);
        string deb = Path.Combine(outDir, $"islander_{FirstVersion}_amd64.deb");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (File.Exists(deb)) File.Delete(deb);
            if (made && Directory.Exists(artifacts) && !Directory.EnumerateFileSystemEntries(outDir).Any()) Directory.Delete(artifacts, recursive: true);
        };
        var r = Command.Run("bash", ["-c", $"cd '{Islander.Testing.TestRootfs.RepoRoot}' && {command.Text}"], TimeSpan.FromMinutes(20),
            new Dictionary<string, string> { ["ISLANDER_VERSION"] = FirstVersion }, background: true);
        Assert.True(r.Code == 0, $"{command}: {r}");
        Assert.Equal(deb, r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim());
        return deb;
    }
}
