using Islander.Controller.Desired;
using Islander.Controller.Hosting;
using Islander.Controller.Images;
using Islander.Drivers;
using Islander.Drivers.Network;
using Islander.Controller.Runtime;
using Islander.Controller.State;
using Islander.Drivers.Volumes;
using Islander.Drivers.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Serilog.Events;

if (args is ["--help" or "-h"])
{
    Console.WriteLine(DaemonArguments.Usage);
    return 0;
}

if (args is ["--version"])
{
    Console.WriteLine($"islanderd {DaemonVersion.Current}");
    return 0;
}

// The config file, then the flags over it, then the socket's group: all checked before anything is touched, so a
// mistake stops islanderd with exit code 2 and nothing changed (no socket, no directory, no state).
DaemonOptions options;
try
{
    var configPath = DaemonArguments.ConfigPath(args);
    options = DaemonArguments.Parse(args, DaemonConfigFile.Load(configPath ?? DaemonConfigFile.DefaultPath, required: configPath is not null));
    DaemonConfigFile.ResolveSocketGroup(options);
}
catch (DaemonConfigException e)
{
    if (e.Problems.Count > 0)
    {
        Console.Error.WriteLine(e.Message);
        Console.Error.WriteLine("islanderd: the config file has problems (above); fix them and start islanderd again");
    }
    else Console.Error.WriteLine($"islanderd: {e.Message}");
    return 2;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"islanderd: {e.Message}\n{DaemonArguments.Usage}");
    return 2;
}

var logging = new LoggerConfiguration()
    .MinimumLevel.Is((LogEventLevel)options.LogLevel) // DaemonLogLevel has Serilog's names and order
    .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
    .Enrich.FromLogContext();
// The console sink writes to stdout: when that is systemd's journal, each line carries its priority (<3> error, <4>
// warning, <6> info, <7> debug) and no timestamp; anywhere else (a terminal, a file, a pipe) the plain lines.
Log.Logger = (JournalStream.Is(1)
        ? logging.WriteTo.Console(new JournalFormatter())
        : logging.WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}"))
    .CreateLogger();

// islanderd.socket's listening fds, if systemd passed any: taken (close-on-exec, variables unset) before any isle's
// shim is spawned, which would inherit them.
var listenFds = SocketActivation.Take();

try
{
    // A state database from a newer islanderd stops the start before anything is made (directories, socket).
    StateSchema.EnsureNotNewer(StateStore.FileIn(options.State));
    var isles = IsleRuntime.CreateDefault(new RuntimePaths(options.State, options.Run), options.CgroupParent);
    isles.LogDefaults = new IsleLogDefaults(options.LogMaxSize, options.LogMaxFiles);
    isles.Recovered += (isle, what) => Log.Warning("Isle {Isle}: {What}", isle, what);
    var networks = NetworkDriverSet.Open(NetworkNamespace.Current);
    var parts = DaemonParts.Of(new IsleRuntimeAdapter(isles, networks), networks, VolumeDriverSet.Open(options.VolumesRoot), ImageStores.Open(options.State, options.InsecureRegistries, options.RegistryMirrors),
        parser: new ModelManifestParser(DriverCatalogs.For(isles.CgroupVersion)));
    var app = DaemonHost.Build(options, parts, builder => builder.Services.AddSerilog(), listenFds);
    // SIGTERM (systemd stop) and Ctrl-C stop the host: hosted services stop, isles keep running with their shims.
    await app.RunAsync();
    return 0;
}
catch (StateSchemaException e)
{
    Log.Fatal("islanderd cannot start: {Error}", e.Message);
    return 2;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException or Islander.Drivers.Cgroups.CgroupException)
{
    Log.Fatal("islanderd cannot start: {Error}", e.Message);
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
