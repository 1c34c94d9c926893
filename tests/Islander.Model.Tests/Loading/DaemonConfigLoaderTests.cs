using System.Net;

namespace Islander.Model.Tests.Loading;

public sealed class DaemonConfigLoaderTests
{
    static DaemonConfig Valid(string yaml)
    {
        var result = DaemonConfigLoader.Load(yaml, "config.yaml");
        Assert.Empty(result.Problems);
        return Assert.IsType<DaemonConfig>(result.Config);
    }

    static Diagnostic Single(string yaml)
    {
        var result = DaemonConfigLoader.Load(yaml, "config.yaml");
        Assert.Null(result.Config);
        return Assert.Single(result.Problems);
    }

    /// <summary>A config setting every field; the fuzz tests break it one field at a time.</summary>
    internal const string EveryField = """
        manifests: /m
        state: /s
        run: /r
        socket: /r/api.sock
        socketGroup: islander
        volumes: /v
        workers: 8
        resync: 1m30s
        restartBackoff: 2
        logLevel: Debug
        logs: {maxSize: 20Mi, maxFiles: 5}
        defaultSubnetPool: 10.200.0.0/20
        metricsAddress: "[::1]:9323"
        cgroupParent: /machine.slice/islander/
        registries:
          mirrors: [https://mirror.lan:5000/]
          insecure: [registry.lan:5000, 192.168.1.9]
        """;

    [Fact]
    public void Load_EveryField_Read()
    {
        var c = Valid(EveryField);

        Assert.Equal(("/m", "/s", "/r", "/r/api.sock", "islander", "/v"), (c.Manifests, c.State, c.Run, c.Socket, c.SocketGroup, c.Volumes));
        Assert.Equal(8, c.Workers);
        Assert.Equal(TimeSpan.FromSeconds(90), c.Resync);
        Assert.Equal(TimeSpan.FromSeconds(2), c.RestartBackoff);
        Assert.Equal(DaemonLogLevel.Debug, c.LogLevel);
        Assert.Equal((20L << 20, 5), (c.LogMaxSize, c.LogMaxFiles));
        Assert.Equal(IPNetwork.Parse("10.200.0.0/20"), c.DefaultSubnetPool);
        Assert.Equal("[::1]:9323", c.MetricsAddress);
        Assert.Equal("machine.slice/islander", c.CgroupParent);
        Assert.Equal(["https://mirror.lan:5000"], c.RegistryMirrors);
        Assert.Equal(["registry.lan:5000", "192.168.1.9"], c.InsecureRegistries);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    public void Load_Empty_EveryFieldUnset(string yaml) =>
        Assert.Equal(new DaemonConfig(), Valid(yaml));

    [Fact]
    public void Load_PackagedExample_IsValidAndSaysTheDefaults()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Islander.sln"))) root = root.Parent!;
        var c = Valid(File.ReadAllText(Path.Combine(root.FullName, "packaging", "config.yaml")));

        Assert.Equal(("/etc/islander/manifests", "/var/lib/islander", "/run/islander", "/run/islander/islander.sock"), (c.Manifests, c.State, c.Run, c.Socket));
        Assert.Equal(("islander", "/var/lib/islander/volumes", 4), (c.SocketGroup, c.Volumes, c.Workers));
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10)), (c.Resync, c.RestartBackoff));
        Assert.Equal((DaemonLogLevel.Information, 10L << 20, 3), (c.LogLevel, c.LogMaxSize, c.LogMaxFiles));
        Assert.Equal(IPNetwork.Parse("10.89.0.0/16"), c.DefaultSubnetPool);
        Assert.Null(c.MetricsAddress);
        Assert.Equal("islander", c.CgroupParent);
        Assert.Equal((0, 0), (c.RegistryMirrors!.Count, c.InsecureRegistries!.Count));
    }

    [Theory]
    [InlineData("workres: 4", 1, 1, "workres", "unknown field; did you mean workers?")]
    [InlineData("logs:\n  maxFile: 3", 2, 3, "logs.maxFile", "unknown field; did you mean maxFiles?")]
    [InlineData("state: var/lib", 1, 8, "state", "is not an absolute path")]
    [InlineData("workers: 0", 1, 10, "workers", "out of range")]
    [InlineData("workers: many", 1, 10, "workers", "expected a whole number")]
    [InlineData("resync: soon", 1, 9, "resync", "is not a positive duration")]
    [InlineData("restartBackoff: 0s", 1, 17, "restartBackoff", "is not a positive duration")]
    [InlineData("logLevel: Loud", 1, 11, "logLevel", "is not one of Verbose, Debug")]
    [InlineData("logLevel: debug", 1, 11, "logLevel", "did you mean Debug?")]
    [InlineData("logs: {maxSize: 10Q}", 1, 17, "logs.maxSize", "")]
    [InlineData("logs: {maxSize: 0}", 1, 17, "logs.maxSize", "below 128Ki")]
    [InlineData("logs: {maxSize: 64Ki}", 1, 17, "logs.maxSize", "below 128Ki")]
    [InlineData("logs: {maxFiles: 0}", 1, 18, "logs.maxFiles", "out of range")]
    [InlineData("socketGroup: \"a b\"", 1, 14, "socketGroup", "is not a group name")]
    [InlineData("defaultSubnetPool: 10.89.0.0/25", 1, 20, "defaultSubnetPool", "from /8 to /24")]
    [InlineData("defaultSubnetPool: fd00::/48", 1, 20, "defaultSubnetPool", "IPv4")]
    [InlineData("defaultSubnetPool: 10.89.1.0/16", 1, 20, "defaultSubnetPool", "first address")]
    [InlineData("metricsAddress: 9323", 1, 17, "metricsAddress", "is not an address and port")]
    [InlineData("metricsAddress: 127.0.0.1", 1, 17, "metricsAddress", "is not an address and port")]
    [InlineData("metricsAddress: prometheus:9323", 1, 17, "metricsAddress", "is not an address and port")]
    [InlineData("cgroupParent: ../escape", 1, 15, "cgroupParent", "is not a cgroup path")]
    [InlineData("cgroupParent: a//b", 1, 15, "cgroupParent", "is not a cgroup path")]
    [InlineData("cgroupParent: /", 1, 15, "cgroupParent", "is not a cgroup path")]
    [InlineData("cgroupParent: system.slice/islanderd.service/isles", 1, 15, "cgroupParent", "inside systemd's unit islanderd.service")]
    [InlineData("registries: {mirrors: [ftp://m]}", 1, 24, "registries.mirrors[0]", "is not a registry mirror's URL")]
    [InlineData("registries: {mirrors: ['https://m.lan#x']}", 1, 24, "registries.mirrors[0]", "is not a registry mirror's URL")]
    [InlineData("registries: {mirrors: [mirror.lan]}", 1, 24, "registries.mirrors[0]", "is not a registry mirror's URL")]
    [InlineData("registries: {insecure: [http://r.lan]}", 1, 25, "registries.insecure[0]", "without a scheme")]
    [InlineData("registries: {insecure: r.lan}", 1, 24, "registries.insecure", "expected a list")]
    [InlineData("- a\n- b", 1, 1, "", "expected a mapping of fields")]
    [InlineData("state: /s\nstate: /t", 2, 1, "state", "duplicate key")]
    public void Load_BadValue_OneProblemAtItsLineAndField(string yaml, int line, int column, string field, string message)
    {
        var d = Single(yaml);

        Assert.Equal(("config.yaml", line, column, field), (d.File, d.Line, d.Column, d.Field));
        Assert.Contains(message, d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SyntaxError_FileLineColumn()
    {
        var d = Single("state: /s\nlogs: {maxSize: 10Mi\n");

        Assert.StartsWith("config.yaml:3:1: ", d.ToString(), StringComparison.Ordinal);
        Assert.Contains("YAML syntax error", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SeveralMistakes_EveryOneInFileOrder()
    {
        var result = DaemonConfigLoader.Load("workers: -1\nbogus: 1\nresync: x\n", "c.yaml");

        Assert.Null(result.Config);
        Assert.Equal(["workers", "bogus", "resync"], result.Problems.Select(p => p.Field));
    }

    [Fact]
    public void Load_TwoDocuments_Refused() =>
        Assert.Contains("one document", Single("state: /s\n---\nrun: /r\n").Message, StringComparison.Ordinal);
}
