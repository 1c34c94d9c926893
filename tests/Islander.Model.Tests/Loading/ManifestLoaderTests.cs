using System.Net;

namespace Islander.Model.Tests.Loading;

public class ManifestLoaderTests
{
    private static string Golden(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", "manifests", name));

    [Fact]
    public void Load_DesignExample_ReadsEveryField()
    {
        var result = ManifestLoader.Load(Golden("design-example.yaml"), "design.yaml", Islander.Drivers.DriverCatalogs.Known);

        Assert.Empty(result.Diagnostics);
        Assert.True(result.IsComplete);
        Assert.Equal(
            [new ObjectKey(ObjectKind.Isle, "web"), new ObjectKey(ObjectKind.Network, "backend"), new ObjectKey(ObjectKind.Volume, "data")],
            result.Objects.Select(o => o.Key));

        var web = Assert.IsType<IsleManifest>(result.Objects[0]);
        Assert.Equal("web", web.Metadata.Labels["app"]);
        Assert.Equal(new ManifestSource("design.yaml", 1, 1, 0), web.Source);
        var spec = web.Spec;
        Assert.Equal("localhost:5000/busybox:1.36", spec.Image);
        Assert.Null(spec.Rootfs);
        Assert.Equal(["/bin/httpd"], spec.Command);
        Assert.Equal(["-f", "-p", "8080"], spec.Args);
        Assert.Equal([new EnvVar("MODE", "prod")], spec.Env);
        Assert.Equal("/", spec.WorkingDir);
        Assert.Equal("web", spec.Hostname);
        Assert.Equal("1000:1000", spec.User);
        Assert.Equal(RestartPolicy.Always, spec.RestartPolicy);
        Assert.Equal(64L << 20, spec.Resources.Memory);
        Assert.Equal(500, spec.Resources.CpuMillis);
        Assert.Equal(512, spec.Resources.CpuShares);
        Assert.Equal(100000, spec.Resources.CpuPeriod);
        Assert.Null(spec.Resources.CpuQuota);
        Assert.Equal("0", spec.Resources.Cpuset);
        Assert.Equal(64, spec.Resources.Pids);
        Assert.Equal([new IoLimit("/dev/vda", ReadBps: 10L << 20, WriteBps: 5L << 20)], spec.Resources.Io);
        Assert.Equal([new NetworkAttachment("backend", "10.88.0.10")], spec.Networks);
        Assert.Equal([new PortMapping(8080, 18080, PortProtocol.Tcp)], spec.Ports);
        Assert.Equal(3, spec.Volumes.Count);
        Assert.Equal(new VolumeMount { Name = "data", MountPath = "/data" }, spec.Volumes[0]);
        Assert.Equal(new VolumeMount { HostPath = "/srv/www", MountPath = "/www", ReadOnly = true }, spec.Volumes[1]);
        Assert.Equal(new VolumeMount { Tmpfs = new TmpfsOptions(64L << 20), MountPath = "/scratch" }, spec.Volumes[2]);
        Assert.Equal(["db"], spec.DependsOn);
        Assert.Equal(15, spec.StopSignal);
        Assert.Equal(TimeSpan.FromSeconds(10), spec.StopTimeout);

        var backend = Assert.IsType<NetworkManifest>(result.Objects[1]);
        Assert.Equal(IPNetwork.Parse("10.88.0.0/24"), backend.Spec.Subnet);
        Assert.Equal(IPAddress.Parse("10.88.0.1"), backend.Spec.Gateway);
        Assert.True(backend.Spec.Masquerade);
        Assert.False(backend.Spec.Internal);
        Assert.Equal(31, backend.Source.Line);
        Assert.Equal(1, backend.Source.Document);

        var data = Assert.IsType<VolumeManifest>(result.Objects[2]);
        Assert.Equal(new VolumeSpec { Driver = new VolumeDriverKind("btrfs"), Size = 1L << 30, ReclaimPolicy = ReclaimPolicy.Retain }, data.Spec);
    }

    [Fact]
    public void Load_BadQuantity_DiagnosticNamesFileLineFieldAndForms()
    {
        const string yaml = """
            apiVersion: islander.io/v1
            kind: Isle
            metadata: {name: web}
            spec:
              image: busybox
              resources:
                memory: 64Q
            """;

        var d = Assert.Single(ManifestLoader.Load(yaml, "web.yaml", Islander.Drivers.DriverCatalogs.Known).Diagnostics);

        Assert.Equal(new Diagnostic("web.yaml", 7, 13, "spec.resources.memory", "\"64Q\" is not a quantity; " + Quantity.ByteForms), d);
        Assert.StartsWith("web.yaml:7:13: spec.resources.memory: \"64Q\" is not a quantity; use forms like 64Mi, 512m or 1G", d.ToString());
    }

    [Fact]
    public void Load_InvalidObject_IsRejectedNotReturned()
    {
        var result = ManifestLoader.Load(Golden("cpu-and-quota.yaml"), "x.yaml", Islander.Drivers.DriverCatalogs.Known);

        Assert.Empty(result.Objects);
        Assert.Equal([new ObjectKey(ObjectKind.Isle, "web")], result.Rejected);
        Assert.True(result.IsComplete);
        Assert.True(result.HasErrors);
    }

    [Fact]
    public void Load_SyntaxError_IsIncompleteAndKeepsEarlierDocuments()
    {
        var result = ManifestLoader.Load(Golden("syntax-error.yaml"), "x.yaml", Islander.Drivers.DriverCatalogs.Known);

        Assert.False(result.IsComplete);
        Assert.Equal([new ObjectKey(ObjectKind.Volume, "data")], result.Objects.Select(o => o.Key));
        Assert.Equal("spec.image", Assert.Single(result.Diagnostics).Field); // where reading stopped
    }

    [Fact]
    public void Load_UnknownKind_IsIncomplete()
    {
        var result = ManifestLoader.Load(Golden("unknown-kind-and-fields.yaml"), "x.yaml", Islander.Drivers.DriverCatalogs.Known);

        Assert.False(result.IsComplete);
        Assert.Empty(result.Objects);
        Assert.Contains(new ObjectKey(ObjectKind.Isle, "Web_1"), result.Rejected);
        Assert.Contains(new ObjectKey(ObjectKind.Volume, "cache"), result.Rejected);
    }

    [Fact]
    public void Load_SameObjectTwice_RejectsBoth()
    {
        var result = ManifestLoader.Load(Golden("duplicates.yaml"), "x.yaml", Islander.Drivers.DriverCatalogs.Known);

        Assert.DoesNotContain(result.Objects, o => o.Key == new ObjectKey(ObjectKind.Volume, "data"));
        Assert.Equal([new ObjectKey(ObjectKind.Volume, "data"), new ObjectKey(ObjectKind.Network, "data")], result.Rejected);
    }

    [Fact]
    public void Load_AnchorsAndMergeKeys_AreResolved()
    {
        var result = ManifestLoader.Load(Golden("anchors-and-merge.yaml"), "x.yaml", Islander.Drivers.DriverCatalogs.Known);

        var isle = Assert.IsType<IsleManifest>(Assert.Single(result.Objects));
        Assert.Equal(RestartPolicy.OnFailure, isle.Spec.RestartPolicy);
        Assert.Equal(512L << 20, isle.Spec.Resources.Memory);
        Assert.Equal(1250, isle.Spec.Resources.CpuMillis);
        Assert.Equal(new VolumeMount { Name = "data", MountPath = "/data2" }, isle.Spec.Volumes[1]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment")]
    [InlineData("---\n---\n")]
    public void Load_EmptyText_NoObjectsNoDiagnostics(string yaml)
    {
        var result = ManifestLoader.Load(yaml, "empty.yaml", Islander.Drivers.DriverCatalogs.Known);

        Assert.Empty(result.Objects);
        Assert.Empty(result.Diagnostics);
        Assert.True(result.IsComplete);
    }

    [Theory]
    [InlineData("[1, 2]", "expected a mapping of fields")]
    [InlineData("just a string", "expected a mapping of fields")]
    [InlineData("a: [", "YAML syntax error")]
    [InlineData("a: \"unterminated", "YAML syntax error")]
    [InlineData("a: b: c", "YAML syntax error")]
    [InlineData("- a\nb: c", "YAML syntax error")]
    [InlineData("{a: 1", "YAML syntax error")]
    [InlineData("a: *nothing", "unknown alias")]
    public void Load_NotAManifest_DiagnosticNotException(string yaml, string message)
    {
        var result = ManifestLoader.Load(yaml, "x.yaml", Islander.Drivers.DriverCatalogs.Known);

        Assert.False(result.IsComplete);
        Assert.Contains(message, Assert.Single(result.Diagnostics).Message);
    }

    [Fact]
    public void Load_EveryTruncationOfAValidFile_NeverThrows()
    {
        var text = Golden("design-example.yaml");
        for (var length = 0; length <= text.Length; length++)
        {
            var result = ManifestLoader.Load(text[..length], "cut.yaml", Islander.Drivers.DriverCatalogs.Known);
            Assert.All(result.Diagnostics, d => Assert.True(d.Line >= 1 && d.Column >= 1, d.ToString()));
        }
    }

    [Theory]
    [InlineData("stopSignal: SIGKILL", 9)]
    [InlineData("stopSignal: term", 15)]
    [InlineData("stopSignal: 2", 2)]
    [InlineData("stopSignal: SIGRTMIN+3", 37)]
    [InlineData("stopSignal: RTMAX", 64)]
    public void Load_StopSignal_ParsedToNumber(string line, int expected) =>
        Assert.Equal(expected, LoadIsle(line).StopSignal);

    [Theory]
    [InlineData("stopTimeout: 30", 30_000)]
    [InlineData("stopTimeout: 1m30s", 90_000)]
    [InlineData("stopTimeout: 500ms", 500)]
    [InlineData("stopTimeout: 0", 0)]
    public void Load_StopTimeout_ParsedToDuration(string line, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), LoadIsle(line).StopTimeout);

    [Theory]
    [InlineData("nginx")]
    [InlineData("www-data:www-data")]
    [InlineData("1000:staff")]
    [InlineData("nobody:65534")]
    [InlineData("1000")]
    [InlineData("host$")]
    public void Load_User_DockerFormsAccepted(string user) =>
        Assert.Equal(user, LoadIsle($"user: \"{user}\"").User);

    [Theory]
    [InlineData("a:b:c")]
    [InlineData("-x")]
    [InlineData(":100")]
    [InlineData("4294967295")]
    [InlineData("99999999999")]
    [InlineData("web server")]
    public void Load_User_NotAUser_Diagnostic(string user)
    {
        var yaml = $"apiVersion: islander.io/v1\nkind: Isle\nmetadata: {{name: t}}\nspec:\n  image: busybox\n  user: \"{user}\"\n";
        Assert.Contains("is not a user", Assert.Single(ManifestLoader.Load(yaml, "t.yaml", Islander.Drivers.DriverCatalogs.Known).Diagnostics).Message);
    }

    [Fact]
    public void Load_Capabilities_NormalizedWithoutPrefix() =>
        Assert.Equal(["NET_ADMIN", "SYS_TIME"], LoadIsle("security: {capAdd: [cap_net_admin, SYS_TIME, NET_ADMIN]}").Security.CapAdd);

    [Fact]
    public void Load_UserNamespace_ReadsMappings()
    {
        var spec = LoadIsle("security: {userNamespace: {uidMappings: [{containerId: 0, hostId: 100000, size: 65536}], gidMappings: [{containerId: 0, hostId: 100000, size: 65536}]}}");

        Assert.Equal([new IdMapping(0, 100000, 65536)], spec.Security.UserNamespace!.UidMappings);
    }

    [Fact]
    public void Load_TmpfsMode_ReadAsOctal() =>
        Assert.Equal(0x3FF, LoadIsle("volumes: [{tmpfs: {mode: 1777}, mountPath: /tmp}]").Volumes[0].Tmpfs!.Mode);

    [Fact]
    public void Load_HostNetwork_Accepted() => Assert.True(LoadIsle("hostNetwork: true").HostNetwork);

    [Fact]
    public void Load_Rootfs_InsteadOfImage() => Assert.Equal("/srv/rootfs/debian", LoadIsle("rootfs: /srv/rootfs/debian", image: false).Rootfs);

    [Fact]
    public void Load_NumericEnvValue_ReadAsString() =>
        Assert.Equal([new EnvVar("PORT", "8080"), new EnvVar("EMPTY", "")], LoadIsle("env: [{name: PORT, value: 8080}, {name: EMPTY}]").Env);

    [Fact]
    public void Load_EnvNameHoldingAValue_ErrorNamesTheVariableButNotTheValue()
    {
        const string yaml = "apiVersion: islander.io/v1\nkind: Isle\nmetadata: {name: t}\nspec:\n  image: busybox\n  env: [{name: DB_PASSWORD=hunter2}]\n";

        var d = Assert.Single(ManifestLoader.Load(yaml, "t.yaml", Islander.Drivers.DriverCatalogs.Known).Diagnostics);

        Assert.Equal("spec.env[0].name", d.Field);
        Assert.Contains("\"DB_PASSWORD=...\" is not a variable name", d.Message);
        Assert.Contains("{name: DB_PASSWORD, value: ...}", d.Message);
        Assert.DoesNotContain("hunter2", d.Message);
    }

    [Fact]
    public void Load_Disk_ReadAsBytes() => Assert.Equal(1L << 30, LoadIsle("resources: {disk: 1Gi}").Resources.Disk);

    [Fact]
    public void Load_NoDisk_NoLimit() => Assert.Null(LoadIsle("resources: {memory: 64Mi}").Resources.Disk);

    [Fact]
    public void Load_NoPids_PodmansDefault() => Assert.Equal(2048, LoadIsle("resources: {memory: 64Mi}").Resources.Pids);

    [Theory]
    [InlineData("max")]
    [InlineData("0")]
    public void Load_PidsMaxOrZero_Unlimited(string value) => Assert.Equal(0, LoadIsle($"resources: {{pids: {value}}}").Resources.Pids);

    [Fact]
    public void Load_PidsWord_SaysMaxIsTheWayToNoLimit()
    {
        const string yaml = "apiVersion: islander.io/v1\nkind: Isle\nmetadata: {name: web}\nspec:\n  image: busybox\n  resources: {pids: none}\n";

        var problem = Assert.Single(ManifestLoader.Load(yaml, "web.yaml", Islander.Drivers.DriverCatalogs.Known).Diagnostics);

        Assert.Equal("web.yaml:6:21: spec.resources.pids: expected a whole number from 0 to 4194304 (max or 0: no limit; unset: 2048), got none", problem.ToString());
    }

    [Fact]
    public void Load_StatusAtTopLevel_Ignored()
    {
        const string yaml = "apiVersion: islander.io/v1\nkind: Volume\nmetadata: {name: v}\nstatus: {phase: Bound}\n";

        Assert.Empty(ManifestLoader.Load(yaml, "x.yaml", Islander.Drivers.DriverCatalogs.Known).Diagnostics);
    }

    [Fact]
    public void Load_InternalNetwork_DoesNotMasqueradeByDefault()
    {
        const string yaml = "apiVersion: islander.io/v1\nkind: Network\nmetadata: {name: n}\nspec: {internal: true}\n";

        var network = Assert.IsType<NetworkManifest>(Assert.Single(ManifestLoader.Load(yaml, "x.yaml", Islander.Drivers.DriverCatalogs.Known).Objects));
        Assert.Equal(new NetworkSpec { Internal = true, Masquerade = false }, network.Spec);
    }

    private static IsleSpec LoadIsle(string specLine, bool image = true)
    {
        var yaml = $"apiVersion: islander.io/v1\nkind: Isle\nmetadata: {{name: t}}\nspec:\n{(image ? "  image: busybox\n" : "")}  {specLine}\n";
        var result = ManifestLoader.Load(yaml, "t.yaml", Islander.Drivers.DriverCatalogs.Known);
        Assert.Empty(result.Diagnostics);
        return Assert.IsType<IsleManifest>(Assert.Single(result.Objects)).Spec;
    }
}
