using System.Globalization;
using Islander.Controller.Lifecycle;

namespace Islander.Controller.Hosting;

/// <summary>islanderd's command line: <c>--flag VALUE</c> or <c>--flag=VALUE</c>. Five paths and two tunables do not need a parser library.</summary>
public static class DaemonArguments
{
    public const string Usage = """
        usage: islanderd [--manifests DIR] [--state DIR] [--run DIR] [--socket PATH]
                         [--volumes DIR] [--resync SECONDS] [--restart-backoff SECONDS]
                         [--metrics-address IP:PORT]

          --manifests DIR            manifests to reconcile (default /etc/islander/manifests)
          --state DIR                LiteDB state (default /var/lib/islander)
          --run DIR                  runtime state of isles (default /run/islander)
          --socket PATH              API socket (default /run/islander/islander.sock)
          --volumes DIR              named volumes, a root per driver: DIR/dir, DIR/tmpfs, DIR/btrfs
                                     (default STATE/volumes; mount a btrfs filesystem on DIR/btrfs for driver btrfs)
          --resync SECONDS           full rescan and re-reconcile period (default 30)
          --restart-backoff SECONDS  first restart delay, doubling to 5 min (default 10, as Kubernetes)
          --metrics-address IP:PORT  also serve /metrics, /healthz and /readyz (only those) over TCP
                                     (default: the socket only)
        """;

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a message for people.</summary>
    public static DaemonOptions Parse(IReadOnlyList<string> args)
    {
        var o = new DaemonOptions();
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
                case "--resync": o.Resync = Seconds(arg, Value()); break;
                case "--restart-backoff": o.RestartBackoff = new RestartBackoff { Base = Seconds(arg, Value()) }; break;
                case "--metrics-address": o.MetricsAddress = DaemonHost.MetricsEndPoint(Value()).ToString(); break;
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
