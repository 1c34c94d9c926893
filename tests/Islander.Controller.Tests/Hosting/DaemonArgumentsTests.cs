using Islander.Controller.Hosting;

namespace Islander.Controller.Tests.Hosting;

public sealed class DaemonArgumentsTests
{
    [Fact]
    public void Parse_NoArguments_DesignDefaults()
    {
        var o = DaemonArguments.Parse([]);

        Assert.Equal("/etc/islander/manifests", o.Manifests);
        Assert.Equal("/var/lib/islander", o.State);
        Assert.Equal("/run/islander", o.Run);
        Assert.Equal("/run/islander/islander.sock", o.Socket);
        Assert.Equal(TimeSpan.FromSeconds(10), o.RestartBackoff.Base);
        Assert.Equal("/var/lib/islander/volumes", o.VolumesRoot);
    }

    [Fact]
    public void Parse_Volumes_OverridesStateVolumes()
    {
        Assert.Equal("/s/volumes", DaemonArguments.Parse(["--state", "/s"]).VolumesRoot);
        Assert.Equal("/srv/vols", DaemonArguments.Parse(["--state", "/s", "--volumes=/srv/vols"]).VolumesRoot);
    }

    [Fact]
    public void Parse_AllFlags_BothForms()
    {
        var o = DaemonArguments.Parse(["--manifests", "/m", "--state=/s", "--run", "/r", "--socket=/x.sock", "--resync", "5", "--restart-backoff", "0.1"]);

        Assert.Equal(("/m", "/s", "/r", "/x.sock"), (o.Manifests, o.State, o.Run, o.Socket));
        Assert.Equal(TimeSpan.FromSeconds(5), o.Resync);
        Assert.Equal(TimeSpan.FromMilliseconds(100), o.RestartBackoff.Base);
    }

    [Theory]
    [InlineData("127.0.0.1:9323", "127.0.0.1:9323")]
    [InlineData("[::1]:9323", "[::1]:9323")]
    public void Parse_MetricsAddress_IpAndPort(string value, string expected) =>
        Assert.Equal(expected, DaemonArguments.Parse(["--metrics-address", value]).MetricsAddress);

    [Theory]
    [InlineData("islander", "islander")]
    [InlineData("/machine.slice/islander", "machine.slice/islander")]
    public void Parse_CgroupParent_RelativeToEachHierarchysRoot(string value, string expected) =>
        Assert.Equal(expected, DaemonArguments.Parse(["--cgroup-parent", value]).CgroupParent);

    [Fact]
    public void Parse_NoCgroupParent_IslanderAtTheRoot() => Assert.Equal("islander", DaemonArguments.Parse([]).CgroupParent);

    [Theory]
    [InlineData("a/../b", "is not a cgroup path")]
    [InlineData("system.slice/islanderd.service", "inside systemd's unit islanderd.service")]
    public void Parse_CgroupParentBad_SaysWhy(string value, string message) =>
        Assert.Contains(message, Assert.ThrowsAny<ArgumentException>(() => DaemonArguments.Parse(["--cgroup-parent", value])).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("localhost:9323")]
    [InlineData("127.0.0.1")]
    public void Parse_MetricsAddressNotIpPort_SaysWhatIsExpected(string value) =>
        Assert.Contains("expected IP:PORT", Assert.ThrowsAny<ArgumentException>(() => DaemonArguments.Parse(["--metrics-address", value])).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--state")]
    [InlineData("--resync", "soon")]
    [InlineData("--workers", "0")]
    [InlineData("--log-level", "loud")]
    [InlineData("--log-level", "9")]
    [InlineData("--config")]
    public void Parse_Bad_ThrowsWithMessage(params string[] args) =>
        Assert.ThrowsAny<ArgumentException>(() => DaemonArguments.Parse(args));

    [Fact]
    public void Parse_RegistryMirrorRepeated_ReplacesTheConfigListInOrder()
    {
        var fromConfig = new DaemonOptions { RegistryMirrors = ["https://config.lan"], InsecureRegistries = ["config.lan:5000"] };

        var o = DaemonArguments.Parse(["--registry-mirror", "http://127.0.0.1:5000/", "--registry-mirror=https://m2.lan",
            "--insecure-registry", "r.lan:5000", "--insecure-registry=r2.lan"], fromConfig);

        Assert.Equal(["http://127.0.0.1:5000", "https://m2.lan"], o.RegistryMirrors);
        Assert.Equal(["r.lan:5000", "r2.lan"], o.InsecureRegistries);
    }

    [Fact]
    public void Parse_NoRegistryFlags_KeepsTheConfigLists()
    {
        var o = DaemonArguments.Parse(["--workers", "2"], new DaemonOptions { RegistryMirrors = ["https://config.lan"] });

        Assert.Equal(["https://config.lan"], o.RegistryMirrors);
    }

    [Theory]
    [InlineData("--registry-mirror", "mirror.lan", "is not a registry mirror's URL")]
    [InlineData("--registry-mirror", "ftp://mirror.lan", "is not a registry mirror's URL")]
    [InlineData("--registry-mirror", "https://user:pw@mirror.lan", "is not a registry mirror's URL")]
    [InlineData("--insecure-registry", "http://r.lan", "is not a registry")]
    public void Parse_BadRegistry_SaysWhatAndTheForm(string flag, string value, string expected)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => DaemonArguments.Parse([flag, value]));

        Assert.Contains($"{flag}: \"{value}\" {expected}", e.Message, StringComparison.Ordinal);
    }
}
