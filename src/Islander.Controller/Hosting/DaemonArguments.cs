using System.Globalization;
using Islander.Controller.Lifecycle;
using Islander.Model;

namespace Islander.Controller.Hosting;

/// <summary>
/// islanderd's command line: <c>--flag VALUE</c> or <c>--flag=VALUE</c>. A handful of paths and tunables do not need a
/// parser library. Flags override the config file (<see cref="DaemonConfigFile"/>).
/// </summary>
public static class DaemonArguments
{
    public const string Usage = """
        usage: islanderd [--config FILE] [--manifests DIR] [--state DIR] [--run DIR] [--socket PATH]
                         [--socket-group GROUP] [--volumes DIR] [--workers N] [--resync SECONDS]
                         [--restart-backoff SECONDS] [--log-level LEVEL]
                         [--metrics-address IP:PORT] [--cgroup-parent PATH] [--registry-mirror URL]... [--insecure-registry HOST[:PORT]]...
               islanderd --version

          --config FILE              config file (default /etc/islander/config.yaml; defaults when it is missing);
                                     the flags below override it
          --manifests DIR            manifests to reconcile (default /etc/islander/manifests)
          --state DIR                LiteDB state (default /var/lib/islander)
          --run DIR                  runtime state of isles (default /run/islander)
          --socket PATH              API socket (default /run/islander/islander.sock)
          --socket-group GROUP       the socket's group, root:GROUP 0660 (default root)
          --volumes DIR              named volumes, a root per driver: DIR/dir, DIR/tmpfs, DIR/btrfs
                                     (default STATE/volumes; mount a btrfs filesystem on DIR/btrfs for driver btrfs)
          --workers N                concurrent reconcile passes (default 4)
          --resync SECONDS           full rescan and re-reconcile period (default 30)
          --restart-backoff SECONDS  first restart delay, doubling to 5 min (default 10, as Kubernetes)
          --log-level LEVEL          Verbose, Debug, Information, Warning, Error or Fatal (default Information)
          --metrics-address IP:PORT  also serve /metrics, /healthz and /readyz (only those) over TCP
                                     (default: the socket only)
          --cgroup-parent PATH       the cgroup holding the isles' cgroups, below each hierarchy's root
                                     (default islander: /sys/fs/cgroup[/CONTROLLER]/islander/NAME)
          --registry-mirror URL      a mirror of Docker Hub, https://host[:port] (http:// for plain HTTP); repeat
                                     it for more, tried in order before Docker Hub (default: none)
          --insecure-registry HOST   a registry (host or host:port) spoken to over plain HTTP; repeat it for more
                                     (default: none besides localhost and 127.0.0.0/8)
        """;

    /// <summary>The file <c>--config</c> names, or null.</summary>
    public static string? ConfigPath(IReadOnlyList<string> args)
    {
        string? path = null;
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == "--config") path = i + 1 < args.Count ? args[++i] : throw new ArgumentException("--config needs a value");
            else if (args[i].StartsWith("--config=", StringComparison.Ordinal)) path = args[i]["--config=".Length..];
        }
        return path is null ? null : Path.GetFullPath(path);
    }

    /// <summary>
    /// Parses the arguments over <paramref name="from"/> (the config file's options; defaults when null); throws
    /// <see cref="ArgumentException"/> with a message for people.
    /// </summary>
    public static DaemonOptions Parse(IReadOnlyList<string> args, DaemonOptions? from = null)
    {
        var o = from ?? new DaemonOptions();
        // A list flag replaces the config file's list the first time it is given and adds to it after.
        List<string>? mirrors = null, insecure = null;
        for (int i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inline = null;
            if (arg.IndexOf('=') is var eq and > 0) { inline = arg[(eq + 1)..]; arg = arg[..eq]; }
            string Value() => inline ?? (i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value"));
            switch (arg)
            {
                case "--manifests": o.Manifests = Path.GetFullPath(Value()); break;
                case "--state": o.State = Path.GetFullPath(Value()); break;
                case "--run": o.Run = Path.GetFullPath(Value()); break;
                case "--socket": o.Socket = Path.GetFullPath(Value()); break;
                case "--volumes": o.Volumes = Path.GetFullPath(Value()); break;
                case "--config": Value(); break; // read first, by ConfigPath
                case "--socket-group": o.SocketGroup = Value(); break;
                case "--workers":
                    o.Workers = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w is >= 1 and <= 64
                        ? w : throw new ArgumentException("--workers: expected a whole number from 1 to 64");
                    break;
                case "--log-level":
                    o.LogLevel = Enum.TryParse<DaemonLogLevel>(Value(), ignoreCase: true, out var level) && Enum.IsDefined(level)
                        ? level : throw new ArgumentException($"--log-level: expected one of {string.Join(", ", Enum.GetNames<DaemonLogLevel>())}");
                    break;
                case "--resync": o.Resync = Seconds(arg, Value()); break;
                case "--restart-backoff": o.RestartBackoff = new RestartBackoff { Base = Seconds(arg, Value()) }; break;
                case "--cgroup-parent":
                    o.CgroupParent = Model.CgroupParent.Normalize(Value(), out var error) ?? throw new ArgumentException($"--cgroup-parent: {error}");
                    break;
                case "--metrics-address": o.MetricsAddress = DaemonHost.MetricsEndPoint(Value()).ToString(); break;
                case "--registry-mirror":
                    var mirror = Value();
                    (mirrors ??= []).Add(DaemonConfigLoader.MirrorUrl(mirror) is { } url ? url
                        : throw new ArgumentException($"--registry-mirror: \"{mirror}\" is not a registry mirror's URL; {DaemonConfigLoader.MirrorForm}"));
                    o.RegistryMirrors = mirrors;
                    break;
                case "--insecure-registry":
                    var registry = Value();
                    (insecure ??= []).Add(DaemonConfigLoader.IsRegistryHost(registry) ? registry
                        : throw new ArgumentException($"--insecure-registry: \"{registry}\" is not a registry; {DaemonConfigLoader.RegistryForm}"));
                    o.InsecureRegistries = insecure;
                    break;
                default: throw new ArgumentException($"unknown argument \"{args[i]}\"");
            }
        }
        return o;
    }

    static TimeSpan Seconds(string flag, string value) =>
        double.TryParse(value.TrimEnd('s'), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : throw new ArgumentException($"{flag}: \"{value}\" is not a number of seconds");
}
