using Islander.Drivers.Images;
using Islander.Drivers.Runtime;
using Islander.Drivers.Users;
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
        Assert.False(config.NoNewPrivileges); // Docker's default
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

    [Fact]
    public void Build_ResolvedUser_IdsGroupsAndHome()
    {
        var input = Input(new IsleSpec { Command = ["id"] }) with { User = new IsleUser(101, 101, [4, 27], "/var/www") };

        var config = InitConfigBuilder.Build(input);

        Assert.Equal((101u, 101u), (config.Uid, config.Gid));
        Assert.Equal([4u, 27u], config.AdditionalGids);
        Assert.Contains("HOME=/var/www", config.Env);
    }

    [Fact]
    public void Build_HomeInImageOrSpecEnv_Wins()
    {
        var user = new IsleUser(0, 0, [], "/root");
        var fromImage = InitConfigBuilder.Build(Input(new IsleSpec { Command = ["sh"] }, ImageDefaults.None with { Env = ["HOME=/srv"] }) with { User = user });
        var fromSpec = InitConfigBuilder.Build(Input(new IsleSpec { Command = ["sh"], Env = [new EnvVar("HOME", "/data")] }) with { User = user });

        Assert.Contains("HOME=/srv", fromImage.Env);
        Assert.Contains("HOME=/data", fromSpec.Env);
        Assert.Single(fromSpec.Env, e => e.StartsWith("HOME=", StringComparison.Ordinal));
    }
}
