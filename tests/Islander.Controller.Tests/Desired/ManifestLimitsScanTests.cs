using Islander.Controller.Desired;
using Islander.Model;

namespace Islander.Controller.Tests.Desired;

/// <summary>
/// A manifest too large or too deep is a problem of that file: its objects keep their last good version (and what the
/// state database would refuse never reaches it).
/// </summary>
public sealed class ManifestLimitsScanTests : IDisposable
{
    readonly ControllerHarness _h = new();

    public void Dispose() => _h.Dispose();

    DesiredEntry Web() => _h.Desired.Get(ObjectKey.Isle("web"))!;

    [Fact]
    public void Scan_FileOverTheLimit_KeepsTheLastGoodVersionAndSaysWhy()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        _h.Source.Scan();
        var good = Web().Object;

        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", extra: "  env:\n    - name: BLOB\n      value: \"" + new string('b', 50 << 20) + "\"\n"));
        _h.Source.Scan();

        Assert.Same(good, Web().Object);
        var problem = Assert.Single(Web().Problems);
        Assert.StartsWith(Path.Combine(_h.Manifests, "web.yaml") + ":1:1: the file is 50MiB; a manifest file may be at most 8MiB", problem);
    }

    [Fact]
    public void Scan_NestedTooDeep_KeepsTheLastGoodVersionAndNamesLineAndField()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        _h.Source.Scan();
        var good = Web().Object;

        _h.Write("web.yaml", ControllerHarness.IsleYaml("web").Replace("metadata:\n", "metadata:\n  labels: " + new string('[', 30_000) + new string(']', 30_000) + "\n"));
        _h.Source.Scan();

        Assert.Same(good, Web().Object);
        Assert.Contains("web.yaml:4:", Assert.Single(Web().Problems));
        Assert.Contains("metadata.labels[0][0]", Web().Problems[0]);
    }

    [Fact]
    public void Scan_ObjectOverTheStoredLimit_KeepsTheLastGoodVersion()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        _h.Source.Scan();
        var good = Web().Object;

        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", extra: "  env:\n    - name: BLOB\n      value: \"" + new string('b', 3 << 20) + "\"\n"));
        _h.Source.Scan();

        Assert.Same(good, Web().Object);
        Assert.Contains($"spec: Isle/web is 3MiB as stored (spec and labels); an object may be at most {ByteSize.Format(ManifestLimits.MaxObjectBytes)}", Assert.Single(Web().Problems));
    }
}
