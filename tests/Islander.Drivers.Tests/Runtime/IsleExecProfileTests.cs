using Islander.Drivers.Runtime;
using Islander.Drivers.Users;

namespace Islander.Drivers.Tests.Runtime;

public class IsleExecProfileTests
{
    static IsleExecProfile Profile() => new()
    {
        Namespaces = NamespaceFlags.Mount | NamespaceFlags.Pid,
        Env = ["PATH=/bin", "HOME=/root", "MODE=prod"],
        WorkingDir = "/srv",
        Uid = 0,
        Gid = 0,
        Home = "/root",
        Capabilities = 0x5,
        NoNewPrivileges = true,
        SeccompFilter = new byte[8],
    };

    [Fact]
    public void ToExecConfig_NoOverrides_TheIslesProcess()
    {
        var c = Profile().ToExecConfig(42, new ExecRequest { Command = ["sh"] }, null);

        Assert.Equal(42, c.Pid);
        Assert.Equal(["PATH=/bin", "HOME=/root", "MODE=prod"], c.Env);
        Assert.Equal("/srv", c.WorkingDir);
        Assert.Equal(new IsleUser(0, 0, [], "/root"), c.User);
        Assert.Equal(0x5UL, c.Capabilities);
        Assert.True(c.NoNewPrivileges);
        Assert.NotNull(c.SeccompFilter);
    }

    [Fact]
    public void ToExecConfig_UserEnvWorkdir_OverrideAndHomeFollowsTheUser()
    {
        var user = new IsleUser(1000, 1000, [], "/home/app");

        var c = Profile().ToExecConfig(42, new ExecRequest { Command = ["sh"], Env = ["MODE=dev", "EXTRA=1"], WorkingDir = "/tmp" }, user);

        Assert.Equal(["PATH=/bin", "HOME=/home/app", "MODE=dev", "EXTRA=1"], c.Env);
        Assert.Equal("/tmp", c.WorkingDir);
        Assert.Equal(user, c.User);
    }

    [Fact]
    public void ToExecConfig_HomeSetByTheSpec_Stays()
    {
        var profile = Profile() with { Env = ["HOME=/data"] };

        var c = profile.ToExecConfig(42, new ExecRequest { Command = ["sh"] }, new IsleUser(1000, 1000, [], "/home/app"));

        Assert.Equal(["HOME=/data"], c.Env);
    }

    [Fact]
    public void WriteRead_RoundTrips()
    {
        var path = Path.Combine(Path.GetTempPath(), $"exec-{Guid.NewGuid():N}.json");
        try
        {
            Profile().Write(path);
            var back = IsleExecProfile.Read(path)!;

            Assert.Equal(Profile().Env, back.Env);
            Assert.Equal(Profile().SeccompFilter, back.SeccompFilter);
            Assert.Equal(Profile().Namespaces, back.Namespaces);
            Assert.Null(IsleExecProfile.Read(path + ".missing"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
