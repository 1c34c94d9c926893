namespace Islander.Model.Tests.Loading;

/// <summary>The <c>driver</c> field of Network and Volume specs, checked against the drivers the parser is handed.</summary>
public class DriverFieldTests
{
    private static readonly DriverCatalog Known = Islander.Drivers.DriverCatalogs.Known;

    private static string Network(string spec) => $"apiVersion: islander.io/v1\nkind: Network\nmetadata:\n  name: backend\nspec:\n{spec}";

    private static string Volume(string spec) => $"apiVersion: islander.io/v1\nkind: Volume\nmetadata:\n  name: data\nspec:\n{spec}";

    [Fact]
    public void Load_NetworkWithoutDriver_IsBridge()
    {
        var result = ManifestLoader.Load(Network("  subnet: 10.88.0.0/24\n"), "net.yaml", Known);

        var network = Assert.IsType<NetworkManifest>(Assert.Single(result.Objects));
        Assert.Equal(NetworkDriverKind.Bridge, network.Spec.Driver);
        Assert.Equal("bridge", network.Spec.Driver.Name);
    }

    [Fact]
    public void Load_NetworkDriverBridge_Accepted()
    {
        var result = ManifestLoader.Load(Network("  driver: bridge\n"), "net.yaml", Known);

        Assert.Empty(result.Diagnostics);
        Assert.Equal(new NetworkSpec(), Assert.IsType<NetworkManifest>(Assert.Single(result.Objects)).Spec);
    }

    [Fact]
    public void Load_UnknownNetworkDriver_DiagnosticAtItsFieldListingTheRegisteredOnes()
    {
        var result = ManifestLoader.Load(Network("  subnet: 10.88.0.0/24\n  driver: bridg\n"), "net.yaml", Known);

        Assert.Empty(result.Objects);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(("net.yaml", 7, "spec.driver"), (d.File, d.Line, d.Field));
        Assert.Equal("\"bridg\" is not a network driver; use bridge; did you mean bridge?", d.Message);
    }

    [Fact]
    public void Load_UnknownVolumeDriver_ListsTheRegisteredOnes()
    {
        var result = ManifestLoader.Load(Volume("  driver: zfs\n"), "vol.yaml", Known);

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(("vol.yaml", 6, "spec.driver"), (d.File, d.Line, d.Field));
        Assert.StartsWith("\"zfs\" is not a volume driver; use dir, btrfs or tmpfs", d.Message);
    }

    [Fact]
    public void Load_DriverRegisteredOnlyInTheCatalog_NeedsNoModelChange()
    {
        // A driver the Model has never heard of: registered, it is accepted with its capabilities.
        var zfs = new VolumeDriverKind("zfs");
        var catalog = Known with { Volumes = [.. Known.Volumes, new VolumeDriverDescription(zfs, VolumeCapabilities.SizeLimit)] };

        var result = ManifestLoader.Load(Volume("  driver: zfs\n  size: 1Gi\n"), "vol.yaml", catalog);

        Assert.Empty(result.Diagnostics);
        var volume = Assert.IsType<VolumeManifest>(Assert.Single(result.Objects));
        Assert.Equal((zfs, 1L << 30), (volume.Spec.Driver, volume.Spec.Size));
    }

    [Fact]
    public void Load_SizeOnADriverWithoutSizeLimit_NamesTheDriversThatHaveOne()
    {
        var result = ManifestLoader.Load(Volume("  driver: dir\n  size: 1Gi\n"), "vol.yaml", Known);

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("spec.size", d.Field);
        Assert.Equal("a dir volume cannot enforce a size; use driver: btrfs or driver: tmpfs, or remove size", d.Message);
    }

    [Fact]
    public void VolumeDriverKind_FromAnOlderRecordsEnumName_IsTheLowerCaseName() =>
        Assert.Equal(new VolumeDriverKind("btrfs"), System.Text.Json.JsonSerializer.Deserialize<VolumeDriverKind>("\"Btrfs\""));

    [Fact]
    public void VolumeDriverKind_Default_IsDir() => Assert.Equal(VolumeDriverKind.Dir, default);

    private static string Isle(string resources) =>
        "apiVersion: islander.io/v1\nkind: Isle\nmetadata:\n  name: web\nspec:\n  rootfs: /srv/rootfs\n  resources:\n" + resources;

    [Fact]
    public void Load_OomGroupTrue_OnTheResources()
    {
        var result = ManifestLoader.Load(Isle("    memory: 64Mi\n    oomGroup: true\n"), "web.yaml", Known);

        Assert.Empty(result.Diagnostics);
        Assert.True(Assert.IsType<IsleManifest>(Assert.Single(result.Objects)).Spec.Resources.OomGroup);
    }

    [Fact]
    public void Load_OomGroupOnCgroupV1_DiagnosticAtItsFieldSayingWhatToDo()
    {
        var result = ManifestLoader.Load(Isle("    memory: 64Mi\n    oomGroup: true\n"), "web.yaml", Known with { OomGroup = false });

        Assert.Empty(result.Objects);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(("web.yaml", 9, "spec.resources.oomGroup"), (d.File, d.Line, d.Field));
        Assert.StartsWith("needs cgroup v2 (memory.oom.group), and this host runs cgroup v1", d.Message);
        Assert.Contains("remove oomGroup", d.Message);
    }

    [Fact]
    public void Load_OomGroupFalseOnCgroupV1_Accepted()
    {
        var result = ManifestLoader.Load(Isle("    oomGroup: false\n"), "web.yaml", Known with { OomGroup = false });

        Assert.Empty(result.Diagnostics);
        Assert.False(Assert.IsType<IsleManifest>(Assert.Single(result.Objects)).Spec.Resources.OomGroup);
    }

    [Fact]
    public void Load_OomGroupNotABoolean_Diagnostic()
    {
        var d = Assert.Single(ManifestLoader.Load(Isle("    oomGroup: yes-please\n"), "web.yaml", Known).Diagnostics);

        Assert.Equal(("web.yaml", 8, "spec.resources.oomGroup"), (d.File, d.Line, d.Field));
    }

    [Fact]
    public void Write_OomGroup_ReadsBack()
    {
        var loaded = Assert.IsType<IsleManifest>(Assert.Single(ManifestLoader.Load(Isle("    oomGroup: true\n"), "web.yaml", Known).Objects));

        var written = ManifestWriter.WriteJson(loaded);
        var back = Assert.IsType<IsleManifest>(Assert.Single(ManifestLoader.Load(written, "w.yaml", Known).Objects));

        Assert.Contains("\"oomGroup\":true", written);
        Assert.Equal(SpecHash.CanonicalJson(loaded.Spec), SpecHash.CanonicalJson(back.Spec));
        Assert.True(back.Spec.Resources.OomGroup);
    }
}
