using Islander.Cli.Commands;
using Islander.Controller.Desired;
using Islander.Drivers;

namespace Islander.Controller.Tests.Cli;

/// <summary>islanderctl validate: the daemon's reader and rules, without a daemon; exit codes for CI.</summary>
public sealed class ValidateCommandTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("islander-validate-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    string Write(string file, string text)
    {
        var path = Path.Combine(_dir, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    static (int Exit, string Out, string Err) Validate(params string[] paths)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = ValidateCommand.Run(paths, new StringReader(""), output, error, DriverCatalogs.Known);
        return (exit, output.ToString(), error.ToString());
    }

    static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void ConfigFiles_ReadAsTheDaemonReadsThem_OneOutsideTheTreeInvalid()
    {
        var volume = "  volumes: [{configFile: CONF, mountPath: /etc/app.conf}]";
        Write("tree/web/web.yaml", ControllerHarness.IsleYaml("web", extra: volume.Replace("CONF", "app.conf", StringComparison.Ordinal)));
        Write("tree/web/app.conf", "a = 1\n");
        Write("tree/api.yaml", ControllerHarness.IsleYaml("api", extra: volume.Replace("CONF", "../outside.conf", StringComparison.Ordinal)));
        Write("outside.conf", ""); // beside the tree

        var (exit, output, _) = Validate(Path.Combine(_dir, "tree"));

        Assert.Equal(ValidateCommand.Invalid, exit);
        Assert.Equal([$"{Path.Join(_dir, "tree", "api.yaml")}:10:26: spec.volumes[0].configFile: ../outside.conf leads out of the manifests' tree (through \"..\" or a symlink); a config file must be inside the tree, and a symlink relative and inside it too"], Lines(output));
    }

    [Fact]
    public void ValidTree_Exit0_CountsFilesAndObjects()
    {
        Write("web.yaml", ControllerHarness.IsleYaml("web"));
        Write("sub/db.yml", ControllerHarness.IsleYaml("db"));
        Write(".git/old.yaml", "not: [a manifest");
        Write("README.md", "# not a manifest");

        var (exit, output, error) = Validate(_dir);

        Assert.Equal(ValidateCommand.Valid, exit);
        Assert.Equal("", output);
        Assert.Equal("2 manifest files, 2 valid objects: valid\n", error);
    }

    [Fact]
    public void InvalidField_Exit1_FileLineColumnFieldWhy()
    {
        var file = Write("web.yaml", ControllerHarness.IsleYaml("web", restart: "Sometimes"));

        var (exit, output, error) = Validate(file);

        Assert.Equal(ValidateCommand.Invalid, exit);
        var problem = Assert.Single(Lines(output));
        Assert.StartsWith($"{file}:8:", problem);
        Assert.Contains(": spec.restartPolicy: ", problem);
        Assert.Equal("1 manifest file, 0 valid objects, 1 problem: invalid\n", error);
    }

    [Fact]
    public void Problems_AreExactlyTheDaemons_ForTheSameTree()
    {
        Write("web.yaml", ControllerHarness.IsleYaml("web", restart: "Sometimes"));
        Write("a/db.yaml", ControllerHarness.IsleYaml("db"));
        Write("b/db.yaml", ControllerHarness.IsleYaml("db"));
        Write("net.yaml", "apiVersion: islander.io/v1\nkind: Network\nmetadata: {name: lan}\nspec: {driver: token-ring}\n");
        Write("broken.yaml", "kind: Isle\nmetadata: {name: [x\n");
        Write("large.yaml", "# " + new string('x', 9 << 20));

        var (exit, output, _) = Validate(_dir);
        var daemon = new ManifestTree(new ModelManifestParser()).Load(_dir);

        Assert.Equal(ValidateCommand.Invalid, exit);
        Assert.True(daemon.Problems.Count == 5, string.Join("\n", daemon.Problems));
        Assert.Equal(daemon.Problems, Lines(output));
    }

    [Fact]
    public void SameObjectInTwoPaths_IsAProblem()
    {
        var a = Write("a.yaml", ControllerHarness.IsleYaml("web"));
        var b = Write("b.yaml", ControllerHarness.IsleYaml("web"));

        var (exit, output, _) = Validate(a, b);

        Assert.Equal(ValidateCommand.Invalid, exit);
        Assert.Equal($"{b}:1: Isle/web is defined more than once ({a}:1, {b}:1); none of them is applied until only one is left", Assert.Single(Lines(output)));
    }

    [Fact]
    public void MissingPath_Exit2_SaysWhich()
    {
        var missing = Path.Combine(_dir, "nope");

        var (exit, output, error) = Validate(missing);

        Assert.Equal(ValidateCommand.Unreadable, exit);
        Assert.Equal("", output);
        Assert.Equal($"error: {missing}: no such file or directory\n", error);
    }
}
