using System.Net;
using Islander.Controller.Hosting;
using Islander.Model;

namespace Islander.Controller.Tests.Hosting;

public sealed class DaemonConfigFileTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("islander-config-").FullName;

    string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Load_EveryField_SetsTheOptions()
    {
        var o = DaemonConfigFile.Load(Write("c.yaml", """
            manifests: /m
            state: /s
            run: /r
            socket: /r/a.sock
            socketGroup: adm
            volumes: /v
            workers: 2
            resync: 5s
            restartBackoff: 1s
            logLevel: Warning
            logs: {maxSize: 1Mi, maxFiles: 2}
            defaultSubnetPool: 10.7.0.0/16
            metricsAddress: 127.0.0.1:9323
            cgroupParent: machine.slice/islander
            registries: {mirrors: ["https://m.lan"], insecure: [r.lan:5000]}
            """), required: true);

        Assert.Equal(("/m", "/s", "/r", "/r/a.sock", "adm", "/v"), (o.Manifests, o.State, o.Run, o.Socket, o.SocketGroup, o.VolumesRoot));
        Assert.Equal((2, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)), (o.Workers, o.Resync, o.RestartBackoff.Base));
        Assert.Equal((DaemonLogLevel.Warning, 1L << 20, 2), (o.LogLevel, o.LogMaxSize, o.LogMaxFiles));
        Assert.Equal(IPNetwork.Parse("10.7.0.0/16"), o.DefaultSubnetPool);
        Assert.Equal("127.0.0.1:9323", o.MetricsAddress);
        Assert.Equal("machine.slice/islander", o.CgroupParent);
        Assert.Equal(["https://m.lan"], o.RegistryMirrors);
        Assert.Equal(["r.lan:5000"], o.InsecureRegistries);
    }

    [Fact]
    public void Parse_FlagsOverTheFile_FlagsWinTheRestStays()
    {
        var path = Write("c.yaml", "state: /from-file\nrun: /run-file\nworkers: 2\nlogLevel: Error\nsocketGroup: adm\n");
        string[] args = ["--config", path, "--state=/from-flag", "--workers", "9", "--log-level", "debug", "--socket-group", "root"];

        var o = DaemonArguments.Parse(args, DaemonConfigFile.Load(DaemonArguments.ConfigPath(args)!, required: true));

        Assert.Equal(("/from-flag", "/run-file", 9, DaemonLogLevel.Debug, "root"), (o.State, o.Run, o.Workers, o.LogLevel, o.SocketGroup));
    }

    [Fact]
    public void Load_MissingDefaultFile_Defaults()
    {
        var o = DaemonConfigFile.Load(Path.Combine(_dir, "none.yaml"), required: false);

        Assert.Equal(("/var/lib/islander", 4, null), (o.State, o.Workers, o.SocketGroup));
        Assert.Equal(IPNetwork.Parse("10.89.0.0/16"), o.DefaultSubnetPool);
    }

    [Fact]
    public void Load_MissingFileAskedFor_Error()
    {
        var e = Assert.Throws<DaemonConfigException>(() => DaemonConfigFile.Load(Path.Combine(_dir, "none.yaml"), required: true));

        Assert.Contains("none.yaml: no such config file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BadFile_EveryProblemAsFileLineColumnFieldReason()
    {
        var path = Write("bad.yaml", "workers: 3\nlogz: {}\nresync: soon\n");

        var e = Assert.Throws<DaemonConfigException>(() => DaemonConfigFile.Load(path, required: true));

        Assert.Equal([$"{path}:2:1: logz: unknown field; did you mean logs?", $"{path}:3:9: resync: soon is not a positive duration; {"use seconds such as 10, or a duration such as 10s, 1m30s or 500ms"}"],
            e.Message.Split('\n'));
    }

    [Fact]
    public void ResolveSocketGroup_KnownGroup_ItsGid()
    {
        var groups = Write("group", "root:x:0:\nislander:x:991:alice,bob\n");
        var o = new DaemonOptions { SocketGroup = "islander" };

        DaemonConfigFile.ResolveSocketGroup(o, groups);

        Assert.Equal(991, o.SocketGid);
    }

    [Fact]
    public void ResolveSocketGroup_NoGroup_Root()
    {
        var o = new DaemonOptions { SocketGid = 5 };

        DaemonConfigFile.ResolveSocketGroup(o, Write("group", "root:x:0:\n"));

        Assert.Equal(0, o.SocketGid);
    }

    [Fact]
    public void ResolveSocketGroup_UnknownGroup_ErrorNamesIt()
    {
        var o = new DaemonOptions { SocketGroup = "islander" };

        var e = Assert.Throws<DaemonConfigException>(() => DaemonConfigFile.ResolveSocketGroup(o, Write("group", "root:x:0:\n")));

        Assert.Contains("group \"islander\" does not exist", e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
