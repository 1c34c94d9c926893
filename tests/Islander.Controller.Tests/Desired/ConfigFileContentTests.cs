using System.Text;
using Islander.Controller.Desired;
using Islander.Model;

namespace Islander.Controller.Tests.Desired;

/// <summary>
/// Config files in a manifests tree: read relative to their manifest's directory, beneath the root the load resolved,
/// at every load; a problem is the isle's, at its configFile field.
/// </summary>
public sealed class ConfigFileContentTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("islander-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    string Root => Path.Combine(_dir, "manifests");

    void Write(string file, string text)
    {
        var path = Path.Combine(Root, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    static string Isle(string name, string configFile) => ControllerHarness.IsleYaml(name, "sleep",
        extra: $"  volumes: [{{configFile: {configFile}, mountPath: /etc/app.conf, onChange: {{signal: HUP}}}}]") + "\n";

    static string Content(DesiredObject obj) => Encoding.UTF8.GetString(Convert.FromBase64String(obj.Isle!.Volumes[0].ConfigData!));

    [Fact]
    public void Load_RelativeToTheManifestsDirectory_InsideTheTree_ReadAtEveryLoad()
    {
        Write("web/web.yaml", Isle("web", "app.conf"));
        Write("web/app.conf", "web's\n");
        Write("api/api.yaml", Isle("api", "../shared/app.conf"));
        Write("shared/app.conf", "shared\n");
        var tree = new ManifestTree(new ModelManifestParser());

        var first = tree.Load(Root);

        Assert.True(first.IsValid, string.Join("\n", first.Problems));
        var objects = first.Files.SelectMany(f => f.Result.Objects).ToDictionary(o => o.Name);
        Assert.Equal(("web's\n", "shared\n"), (Content(objects["web"]), Content(objects["api"])));
        Assert.All(objects.Values, o => Assert.Empty(o.ConfigFiles));

        Write("shared/app.conf", "shared, v2\n"); // the manifest is unchanged: its parse is reused, the file read again

        var second = tree.Load(Root).Files.SelectMany(f => f.Result.Objects).ToDictionary(o => o.Name);
        Assert.Equal(("web's\n", "shared, v2\n"), (Content(second["web"]), Content(second["api"])));
        Assert.NotEqual(objects["api"].ContentHash, second["api"].ContentHash); // a new generation of api
        Assert.Equal(objects["web"].ContentHash, second["web"].ContentHash);     // and of no other object
    }

    [Fact]
    public void Load_Unreadable_TheIslesProblemAtItsField_OtherObjectsOfTheFileStay()
    {
        Write("web.yaml", Isle("web", "../outside.conf") + "---\n" + ControllerHarness.IsleYaml("db", "sleep"));
        File.WriteAllText(Path.Combine(_dir, "outside.conf"), "secret\n");

        var snapshot = new ManifestTree(new ModelManifestParser()).Load(Root);

        var result = Assert.Single(snapshot.Files).Result;
        Assert.Equal(["db"], result.Objects.Select(o => o.Name));
        Assert.Contains(ObjectKey.Isle("web"), result.Rejected);
        var problem = Assert.Single(result.Diagnostics);
        Assert.Equal((Path.Combine(Root, "web.yaml"), "spec.volumes[0].configFile"), (problem.File, problem.Field));
        Assert.StartsWith("../outside.conf leads out of the manifests' tree", problem.Message, StringComparison.Ordinal);
        Assert.False(snapshot.IsValid);
    }
}
