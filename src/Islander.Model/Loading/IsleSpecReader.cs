using System.Text.RegularExpressions;

namespace Islander.Model;

/// <summary>Reads and validates the <c>spec</c> of a <c>kind: Isle</c> manifest.</summary>
internal static partial class IsleSpecReader
{
    private static readonly string[] Known =
    [
        "image", "rootfs", "command", "args", "env", "workingDir", "hostname", "user", "restartPolicy", "resources",
        "security", "hostNetwork", "networks", "ports", "volumes", "dependsOn", "stopSignal", "stopTimeout",
        "logging", "healthcheck", "update", "stdin", "tty",
    ];

    public static IsleSpec Read(Fields spec, string isleName, DriverCatalog drivers)
    {
        var image = spec.String("image");
        if (image is not null && !ImageReference.TryParse(image, out _, out var reason))
        {
            spec.Error("image", $"\"{ManifestLimits.Excerpt(image)}\" is not an image reference; {reason}"
                + (reason == ImageReference.UpperCaseReason ? "" : "; use a reference such as busybox:1.36, localhost:5000/app:v1 or alpine@sha256:<64 hex digits>"));
        }
        var rootfs = Paths.Absolute(spec, "rootfs", "/srv/rootfs/debian");
        if (spec.Has("image") && spec.Has("rootfs"))
        {
            spec.Error("rootfs", "set only one of image and rootfs");
        }
        else if (!spec.Has("image") && !spec.Has("rootfs"))
        {
            spec.Required("image", "set image (an OCI image such as busybox:1.36) or rootfs (a directory such as /srv/rootfs/debian)");
        }

        var command = spec.Strings("command", "[\"/bin/httpd\", \"-f\"]");
        var hostNetwork = spec.Bool("hostNetwork") ?? false;
        var networks = ReadNetworks(spec);
        var ports = ReadPorts(spec);
        CheckNetworking(spec, hostNetwork, networks, ports);
        var dependsOn = ReadDependsOn(spec, isleName);

        return new IsleSpec
        {
            Image = image,
            Rootfs = rootfs,
            Command = command,
            Args = spec.Strings("args", "[\"-f\", \"-p\", \"8080\"]"),
            Env = ReadEnv(spec),
            WorkingDir = Paths.Absolute(spec, "workingDir", "/app"),
            Hostname = ReadHostname(spec),
            User = ReadUser(spec),
            RestartPolicy = spec.Enum<RestartPolicy>("restartPolicy") ?? RestartPolicy.Always,
            Resources = spec.Object("resources", ResourceFields) is { } r ? ReadResources(r, drivers) : new IsleResources(),
            Security = spec.Object("security", SecurityFields) is { } s ? ReadSecurity(s) : new IsleSecurity(),
            HostNetwork = hostNetwork,
            Networks = networks,
            Ports = ports,
            Volumes = ReadVolumes(spec),
            DependsOn = dependsOn.Select(d => d.Name).ToList(),
            HealthyDependencies = dependsOn.Where(d => d.Condition == DependencyCondition.Healthy).Select(d => d.Name).ToList(),
            Healthcheck = ReadHealthcheck(spec),
            StopSignal = ReadStopSignal(spec) ?? 15,
            StopTimeout = ReadStopTimeout(spec) ?? TimeSpan.FromSeconds(10),
            Logging = ReadLogging(spec),
            Update = ReadUpdate(spec),
            Stdin = spec.Bool("stdin") ?? false,
            Tty = spec.Bool("tty") ?? false,
        };
    }

    public static IReadOnlyCollection<string> Fields => Known;

    private static IReadOnlyList<EnvVar> ReadEnv(Fields spec)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return spec.List("env", (node, path) =>
        {
            if (spec.Reader.Object(node, path, ["name", "value"]) is not { } f) return null;
            var name = f.String("name");
            if (name is null)
            {
                if (!f.Has("name")) f.Required("name", "name the variable, e.g. {name: MODE, value: prod}");
                return null;
            }
            if (name.Length == 0 || name.Contains('=') || name.Contains('\0'))
            {
                // NAME=value written as the name: the value may be a secret, and errors go to the log and events.
                int eq = name.IndexOf('=');
                string shown = eq >= 0 ? name[..eq] + "=..." : name;
                f.Error("name", $"\"{shown}\" is not a variable name; it must be non-empty and contain no '=': put the value in value, e.g. {{name: {(eq > 0 ? name[..eq] : "MODE")}, value: ...}}");
                return null;
            }
            if (!seen.Add(name))
            {
                f.Error("name", $"{name} is set twice; keep one entry");
                return null;
            }
            return new EnvVar(name, f.String("value") ?? "");
        }, "[{name: MODE, value: prod}]");
    }

    private static string? ReadHostname(Fields spec)
    {
        var hostname = spec.String("hostname");
        if (hostname is not null && !Names.IsHostname(hostname))
        {
            spec.Error("hostname", $"\"{hostname}\" is not a hostname; use at most 64 characters: labels of a-z, A-Z, 0-9 and '-' separated by dots");
            return null;
        }
        return hostname;
    }

    /// <summary>
    /// Docker's forms: name, uid, name:group, uid:gid, name:gid, uid:group. Names are looked up in the
    /// isle's own /etc/passwd and /etc/group when it starts (an unknown one is an Error then, not here:
    /// the image may not have been pulled yet). A part of digits only is an id and must fit a uid_t.
    /// </summary>
    private static string? ReadUser(Fields spec)
    {
        var user = spec.String("user");
        if (user is null) return null;
        var match = UserRegex().Match(user);
        if (!match.Success || !match.Groups.Values.Skip(1).Where(g => g.Success && g.Value.All(char.IsAsciiDigit))
                .All(g => uint.TryParse(g.Value, out var id) && id < uint.MaxValue))
        {
            spec.Error("user", $"\"{user}\" is not a user; write a name, uid, name:group or uid:gid such as \"nginx\" or \"1000:1000\" (quoted)");
            return null;
        }
        return user;
    }

    private static int? ReadStopSignal(Fields spec)
    {
        if (spec.Get("stopSignal") is not { } node) return null;
        if (node is ScalarNode s && Signals.TryParse(s.Value, out var number)) return number;
        spec.Error("stopSignal", $"{Describe(node)} is not a signal; {Signals.Forms}");
        return null;
    }

    private static TimeSpan? ReadStopTimeout(Fields spec)
    {
        if (spec.Get("stopTimeout") is not { } node) return null;
        if (node is ScalarNode s && Durations.TryParse(s.Value, out var duration)) return duration;
        spec.Error("stopTimeout", $"{Describe(node)} is not a duration; {Durations.Forms}");
        return null;
    }

    private static string Describe(Node node) => node is ScalarNode s ? $"\"{s.Value}\"" : node.Describe();

    // A part is an id (digits) or a name as shadow-utils allows them (not starting with '-'; a trailing '$' for machine accounts).
    [GeneratedRegex(@"^([0-9]{1,10}|[A-Za-z0-9_.][A-Za-z0-9_.-]{0,255}\$?)(?::([0-9]{1,10}|[A-Za-z0-9_.][A-Za-z0-9_.-]{0,255}\$?))?$")]
    private static partial Regex UserRegex();
}
