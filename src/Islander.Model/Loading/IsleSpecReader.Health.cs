namespace Islander.Model;

internal static partial class IsleSpecReader
{
    private static readonly string[] HealthcheckFields = ["exec", "http", "tcp", "interval", "timeout", "retries", "startPeriod"];
    private static readonly string[] Probes = ["exec", "http", "tcp"];
    private static readonly string[] HttpFields = ["port", "path"];
    private static readonly string[] TcpFields = ["port"];
    private static readonly string[] DependencyFields = ["name", "condition"];

    /// <summary>
    /// <c>healthcheck: {exec: [...] | http: {port, path} | tcp: {port}, interval, timeout, retries, startPeriod}</c>;
    /// null when the spec has none.
    /// </summary>
    private static IsleHealthCheck? ReadHealthcheck(Fields spec)
    {
        if (spec.Object("healthcheck", HealthcheckFields) is not { } f) return null;
        var given = Probes.Where(f.Has).ToList();
        if (given.Count == 0)
            f.Required("exec", "set one of exec (a command, e.g. [test, -e, /ready]), http ({port: 8080, path: /healthz}) or tcp ({port: 5432})");
        foreach (var extra in given.Skip(1))
            f.Error(extra, $"set only one of exec, http and tcp; this healthcheck already has {given[0]}");

        var exec = f.Strings("exec", "[test, -e, /ready]");
        if (f.Has("exec") && exec.Count == 0 && f.Get("exec") is SequenceNode)
            f.Error("exec", "is empty; give the command to run in the isle, e.g. [test, -e, /ready] or [sh, -c, 'pg_isready']");
        HttpHealthCheck? http = null;
        if (f.Object("http", HttpFields) is { } h && ReadPort(h) is { } httpPort)
            http = new HttpHealthCheck(httpPort, ReadHttpPath(h) ?? "/");
        TcpHealthCheck? tcp = null;
        if (f.Object("tcp", TcpFields) is { } t && ReadPort(t) is { } tcpPort)
            tcp = new TcpHealthCheck(tcpPort);

        var interval = ReadDuration(f, "interval");
        if (interval is { } i && i < IsleHealthCheck.MinimumInterval)
            f.Error("interval", $"{ManifestWriter.Seconds(i)} is too short; interval must be at least 1s (e.g. 10s)");
        var timeout = ReadDuration(f, "timeout");
        if (timeout is { } o && o <= TimeSpan.Zero)
            f.Error("timeout", "must be longer than 0s; e.g. 5s (a check that takes longer fails)");
        var startPeriod = ReadDuration(f, "startPeriod");
        var retries = (int?)f.Integer("retries", 1, 1000, " (the failures in a row that make the isle unhealthy, e.g. 3)");

        return new IsleHealthCheck
        {
            Exec = exec,
            Http = http,
            Tcp = tcp,
            Interval = interval is { } iv && iv >= IsleHealthCheck.MinimumInterval ? iv : IsleHealthCheck.DefaultInterval,
            Timeout = timeout is { } to && to > TimeSpan.Zero ? to : IsleHealthCheck.DefaultTimeout,
            Retries = retries ?? IsleHealthCheck.DefaultRetries,
            StartPeriod = startPeriod ?? TimeSpan.Zero,
        };
    }

    private static int? ReadPort(Fields f)
    {
        if (!f.Has("port"))
        {
            f.Required("port", "the port the isle listens on, e.g. port: 8080");
            return null;
        }
        return (int?)f.Integer("port", 1, 65535, " (a TCP port the isle listens on)");
    }

    /// <summary>An absolute path with its query, sent as is in the request line: no spaces or control characters.</summary>
    private static string? ReadHttpPath(Fields h)
    {
        if (h.String("path") is not { } path) return null;
        if (path.Length == 0 || path[0] != '/' || path.Any(c => c <= ' ' || c == '\x7f') || path.Length > 2048)
        {
            h.Error("path", $"\"{ManifestLimits.Excerpt(path, 60)}\" is not a request path; start it with / and write spaces as %20, e.g. /healthz");
            return null;
        }
        return path;
    }

    private static TimeSpan? ReadDuration(Fields f, string key)
    {
        if (f.Get(key) is not { } node) return null;
        if (node is ScalarNode s && Durations.TryParse(s.Value, out var duration)) return duration;
        f.Error(key, $"{Describe(node)} is not a duration; {Durations.Forms}");
        return null;
    }

    /// <summary>A dependsOn entry: a name (condition Running), or <c>{name: db, condition: Healthy}</c> (Compose's long form).</summary>
    private sealed record Dependency(string Name, DependencyCondition Condition);

    private static IReadOnlyList<Dependency> ReadDependsOn(Fields spec, string isleName)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return spec.List("dependsOn", (node, path) =>
        {
            string? name;
            Node at = node;
            var condition = DependencyCondition.Running;
            if (node is MappingNode)
            {
                if (spec.Reader.Object(node, path, DependencyFields) is not { } f) return null;
                name = f.String("name");
                if (name is null)
                {
                    if (!f.Has("name")) f.Required("name", "name the isle, e.g. {name: db, condition: Healthy}");
                    return null;
                }
                at = f.Get("name")!;
                path = f.PathOf("name");
                if (f.Has("condition"))
                {
                    if (f.Enum<DependencyCondition>("condition") is not { } c) return null;
                    condition = c;
                }
            }
            else if (spec.Reader.String(node, path) is { } plain) name = plain;
            else return null;

            if (!Names.IsDnsLabel(name))
            {
                spec.Reader.Error(at, path, $"\"{name}\" is not an isle name; {Names.DnsLabelRule}");
                return null;
            }
            if (name == isleName)
            {
                spec.Reader.Error(at, path, "an isle cannot depend on itself; remove this entry");
                return null;
            }
            if (!seen.Add(name))
            {
                spec.Reader.Error(at, path, $"{name} is listed twice; list each isle once");
                return null;
            }
            return new Dependency(name, condition);
        }, "[db] or [{name: db, condition: Healthy}]");
    }
}
