using Islander.Drivers.Runtime;
using Islander.Model;

namespace Islander.Drivers.Tests.Runtime;

public class InitConfigBuilderTests
{
    static InitConfigInput Input(IsleSpec spec, ImageDefaults? image = null) => new()
    {
        Name = "web",
        Spec = spec,
        Rootfs = "/run/islander/isles/web/rootfs",
        StatusPath = "/run/islander/isles/web/status",
        Capabilities = 0xff,
        Image = image ?? ImageDefaults.None,
    };

    [Fact]
    public void Build_Defaults_AllNamespacesHostnameIsNameRoot()
    {
        var config = InitConfigBuilder.Build(Input(new IsleSpec { Command = ["/bin/sh"] }));

        Assert.Equal(NamespaceFlags.Mount | NamespaceFlags.Pid | NamespaceFlags.Uts | NamespaceFlags.Ipc | NamespaceFlags.Cgroup | NamespaceFlags.Network,
            config.Namespaces);
        Assert.Equal("web", config.Hostname);
        Assert.Equal((0u, 0u), (config.Uid, config.Gid));
        Assert.Equal("/", config.WorkingDir);
        Assert.True(config.NoNewPrivileges);
        Assert.Contains($"PATH={InitConfigBuilder.DefaultPath}", config.Env);
        Assert.Contains("HOSTNAME=web", config.Env);
    }

    [Fact]
    public void Build_HostNetwork_KeepsHostNetworkNamespace()
    {
        var config = InitConfigBuilder.Build(Input(new IsleSpec { Command = ["true"], HostNetwork = true }));

        Assert.False(config.Namespaces.HasFlag(NamespaceFlags.Network));
    }

    [Fact]
    public void Build_UserNamespace_AddsUserFlag()
    {
        var spec = new IsleSpec
        {
            Command = ["true"],
            Security = new IsleSecurity { UserNamespace = new UserNamespace([new IdMapping(0, 100000, 65536)], [new IdMapping(0, 100000, 65536)]) },
        };

        Assert.True(InitConfigBuilder.Build(Input(spec)).Namespaces.HasFlag(NamespaceFlags.User));
    }

    [Fact]
    public void Build_SpecEnv_OverridesImageEnvOverridesDefaults()
    {
        var image = new ImageDefaults([], ["sh"], ["PATH=/img/bin", "A=image", "B=image"], "/srv", "7");
        var spec = new IsleSpec { Env = [new EnvVar("B", "spec")] };

        var config = InitConfigBuilder.Build(Input(spec, image));

        Assert.Contains("PATH=/img/bin", config.Env);
        Assert.Contains("A=image", config.Env);
        Assert.Contains("B=spec", config.Env);
        Assert.Equal("/srv", config.WorkingDir);
        Assert.Equal(7u, config.Uid);
    }

    [Theory]
    [InlineData(new string[0], new string[0], new[] { "ep", "cmd" })]
    [InlineData(new[] { "/bin/x" }, new string[0], new[] { "/bin/x" })]
    [InlineData(new string[0], new[] { "a1" }, new[] { "ep", "a1" })]
    [InlineData(new[] { "/bin/x" }, new[] { "a1" }, new[] { "/bin/x", "a1" })]
    public void Argv_CommandAndArgs_FollowKubernetesRules(string[] command, string[] args, string[] expected)
    {
        var image = new ImageDefaults(["ep"], ["cmd"], [], null, null);

        Assert.Equal(expected, InitConfigBuilder.Argv(new IsleSpec { Command = command, Args = args }, image));
    }

    [Fact]
    public void Argv_NothingToRun_ThrowsInvalidManifest()
    {
        var e = Assert.Throws<IslanderException>(() => InitConfigBuilder.Argv(new IsleSpec(), ImageDefaults.None));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
    }

    [Theory]
    [InlineData("1000", 1000u, 0u)]
    [InlineData("1000:1001", 1000u, 1001u)]
    [InlineData("", 0u, 0u)]
    public void ParseUser_NumericForms_Parse(string user, uint uid, uint gid) =>
        Assert.Equal((uid, gid), InitConfigBuilder.ParseUser(user));

    [Theory]
    [InlineData("www-data")]
    [InlineData("1:2:3")]
    [InlineData("-1")]
    public void ParseUser_NotNumeric_Throws(string user) =>
        Assert.Throws<IslanderException>(() => InitConfigBuilder.ParseUser(user));
}
