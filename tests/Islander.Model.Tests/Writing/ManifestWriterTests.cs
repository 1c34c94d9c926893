namespace Islander.Model.Tests.Writing;

public class ManifestWriterTests
{
    private static string Golden(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", "manifests", name));

    [Theory]
    [InlineData("design-example.yaml")]
    [InlineData("anchors-and-merge.yaml")]
    public void WriteJson_LoadedManifests_LoadBackEqual(string file)
    {
        var loaded = ManifestLoader.Load(Golden(file), file, Islander.Drivers.DriverCatalogs.Known).Objects;

        var written = string.Join("\n---\n", loaded.Select(ManifestWriter.WriteJson));
        var reloaded = ManifestLoader.Load(written, "written.yaml", Islander.Drivers.DriverCatalogs.Known);

        Assert.Empty(reloaded.Diagnostics);
        Assert.Equal(loaded.Count, reloaded.Objects.Count);
        foreach (var (before, after) in loaded.Zip(reloaded.Objects))
        {
            Assert.Equal(before.Key, after.Key);
            Assert.Equal(before.Metadata.Labels, after.Metadata.Labels);
            switch (before, after)
            {
                case (IsleManifest a, IsleManifest b):
                    Assert.Equal(SpecHash.CanonicalJson(a.Spec), SpecHash.CanonicalJson(b.Spec));
                    break;
                case (NetworkManifest a, NetworkManifest b):
                    Assert.Equal(a.Spec, b.Spec);
                    break;
                case (VolumeManifest a, VolumeManifest b):
                    Assert.Equal(a.Spec, b.Spec);
                    break;
            }
        }
    }

    [Fact]
    public void WriteJson_EveryIsleField_LoadsBackWithTheSameHash()
    {
        var spec = new IsleSpec
        {
            Rootfs = "/srv/rootfs/debian",
            Command = ["/bin/sh", "-c"],
            Args = ["echo 'hi: there'"],
            Env = [new EnvVar("A", "1"), new EnvVar("B", "true"), new EnvVar("C", "")],
            User = "0",
            RestartPolicy = RestartPolicy.Never,
            Resources = new IsleResources
            {
                Memory = 1536L << 20, CpuShares = 256, CpuPeriod = 50000, CpuQuota = 25000, Cpuset = "0", Pids = 10, Disk = 3L << 30,
                Io = [new IoLimit("/dev/vda", ReadIops: 100, WriteBps: 1000)],
            },
            Security = new IsleSecurity
            {
                Privileged = true, CapAdd = ["NET_ADMIN"], CapDrop = ["ALL"], Seccomp = "unconfined", ReadOnlyRootFilesystem = true, NoNewPrivileges = true,
                UserNamespace = new UserNamespace([new IdMapping(0, 100000, 65536)], [new IdMapping(0, 100000, 65536)]),
            },
            HostNetwork = true,
            Volumes = [new VolumeMount { Tmpfs = new TmpfsOptions(Mode: 0x3FF), MountPath = "/tmp", ReadOnly = true }],
            StopSignal = 2,
            StopTimeout = TimeSpan.FromMilliseconds(1500),
            Logging = new IsleLogging { MaxSize = 20L << 20, MaxFiles = 5 },
        };
        var isle = new IsleManifest(new ObjectMeta("full") { Annotations = new Dictionary<string, string> { ["note"] = "yes: really" } }, spec, ManifestSource.None);

        var json = ManifestWriter.WriteJson(isle);
        var reloaded = ManifestLoader.Load(json, "w.yaml", Islander.Drivers.DriverCatalogs.Known);

        Assert.Empty(reloaded.Diagnostics);
        var back = Assert.IsType<IsleManifest>(Assert.Single(reloaded.Objects));
        Assert.Equal(SpecHash.CanonicalJson(spec), SpecHash.CanonicalJson(back.Spec));
        Assert.Equal("yes: really", back.Metadata.Annotations["note"]);
    }

    [Theory]
    [InlineData(0L, "\"pids\":\"max\"")]
    [InlineData(2048L, null)]
    [InlineData(64L, "\"pids\":64")]
    public void WriteJson_Pids_MaxForUnlimitedNothingAtTheDefault(long pids, string? expected)
    {
        var isle = new IsleManifest(new ObjectMeta("p"), new IsleSpec { Rootfs = "/r", Resources = new IsleResources { Pids = pids } }, ManifestSource.None);

        var json = ManifestWriter.WriteJson(isle);
        var back = Assert.IsType<IsleManifest>(Assert.Single(ManifestLoader.Load(json, "p.yaml", Islander.Drivers.DriverCatalogs.Known).Objects));

        if (expected is null) Assert.DoesNotContain("pids", json);
        else Assert.Contains(expected, json);
        Assert.Equal(pids, back.Spec.Resources.Pids);
    }

    [Fact]
    public void WriteJson_SmallIsle_PrintsKubernetesQuantitiesAndNoDefaults()
    {
        var isle = new IsleManifest(new ObjectMeta("web"),
            new IsleSpec { Image = "busybox:1.36", Resources = new IsleResources { Memory = 64L << 20, CpuMillis = 500 } },
            ManifestSource.None);

        Assert.Equal(
            """{"apiVersion":"islander.io/v1","kind":"Isle","metadata":{"name":"web"},"spec":{"image":"busybox:1.36","restartPolicy":"Always","resources":{"memory":"64Mi","cpu":"500m"}}}""",
            ManifestWriter.WriteJson(isle));
    }

    [Fact]
    public void WriteJson_IsleWithNetworksPortsAndVolumes_LoadsBackWithTheSameHash()
    {
        var spec = new IsleSpec
        {
            Image = "localhost:5000/busybox:1.36",
            Command = ["sh", "-c", "echo \"hi\"; exit 3"],
            Env = [new EnvVar("A", "1 2"), new EnvVar("B", "")],
            RestartPolicy = RestartPolicy.Never,
            Resources = new IsleResources { Memory = 64L << 20, CpuMillis = 500, Pids = 64, Io = [new IoLimit("/dev/vda", ReadBps: 10L << 20)] },
            Security = new IsleSecurity { CapDrop = ["ALL"], UserNamespace = new UserNamespace([new IdMapping(0, 100000, 65536)], [new IdMapping(0, 100000, 65536)]) },
            Networks = [new NetworkAttachment("backend")],
            Ports = [new PortMapping(8080, 18080), new PortMapping(53, 5353, PortProtocol.Udp)],
            Volumes = [new VolumeMount { HostPath = "/srv/www", MountPath = "/www", ReadOnly = true }, new VolumeMount { Tmpfs = new TmpfsOptions(64L << 20), MountPath = "/scratch" }],
            StopTimeout = TimeSpan.FromSeconds(1),
        };
        var isle = new IsleManifest(new ObjectMeta("run-1") { Labels = new Dictionary<string, string> { ["islander.io/run"] = "true" } }, spec, ManifestSource.None);

        var json = ManifestWriter.WriteJson(isle);
        var reloaded = ManifestLoader.Load(json, "run.json", Islander.Drivers.DriverCatalogs.Known);

        Assert.StartsWith("{\"apiVersion\":\"islander.io/v1\",\"kind\":\"Isle\"", json);
        Assert.Empty(reloaded.Diagnostics);
        var back = Assert.IsType<IsleManifest>(Assert.Single(reloaded.Objects));
        Assert.Equal(SpecHash.CanonicalJson(spec), SpecHash.CanonicalJson(back.Spec));
        Assert.Equal("true", back.Metadata.Labels["islander.io/run"]);
    }
}
