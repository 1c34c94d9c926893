using System.Net;
using System.Net.Sockets;

namespace Islander.Model;

/// <summary>
/// Reads islanderd's config file with the manifests' YAML reader, so a mistake is reported the same way: file, line,
/// column, field and what to do, an unknown field with its closest known name. Pure: the caller reads the file.
/// </summary>
public static class DaemonConfigLoader
{
    private static readonly string[] Top =
    [
        "manifests", "state", "run", "socket", "socketGroup", "volumes", "workers", "resync", "restartBackoff",
        "logLevel", "logs", "defaultSubnetPool", "registries", "metricsAddress", "cgroupParent",
    ];
    private static readonly string[] LogFields = ["maxSize", "maxFiles"];
    private static readonly string[] RegistryFields = ["mirrors", "insecure"];

    /// <summary>Reads <paramref name="text"/>; an empty file (or only comments) is every default.</summary>
    public static DaemonConfigLoadResult Load(string text, string fileName)
    {
        var diagnostics = new DiagnosticBag(fileName);
        if (text.Length > ManifestLimits.MaxFileBytes)
        {
            diagnostics.Add(new Position(1, 1), "", $"the file is larger than {ManifestLimits.MaxFileBytes} bytes; a config file is a few lines");
            return new(null, diagnostics.Sorted());
        }
        var documents = YamlTreeReader.Read(text, diagnostics, out _);
        var roots = documents.Where(d => d.Root is not null).ToList();
        if (roots.Count > 1) diagnostics.Add(roots[1].At, "", "a config file holds one document; remove the second (---)");
        var config = roots.Count == 0 ? new DaemonConfig() : Read(new NodeReader(diagnostics), roots[0].Root!);
        var problems = diagnostics.Sorted();
        return new(problems.Count == 0 ? config : null, problems);
    }

    private static DaemonConfig Read(NodeReader reader, Node root)
    {
        if (reader.Object(root, "", Top) is not { } f) return new DaemonConfig();
        var logs = f.Object("logs", LogFields);
        var registries = f.Object("registries", RegistryFields);
        return new DaemonConfig
        {
            Manifests = AbsolutePath(f, "manifests"),
            State = AbsolutePath(f, "state"),
            Run = AbsolutePath(f, "run"),
            Socket = AbsolutePath(f, "socket"),
            SocketGroup = GroupName(f, "socketGroup"),
            Volumes = AbsolutePath(f, "volumes"),
            Workers = (int?)f.Integer("workers", 1, 64),
            Resync = Duration(f, "resync"),
            RestartBackoff = Duration(f, "restartBackoff"),
            LogLevel = f.Enum<DaemonLogLevel>("logLevel"),
            LogMaxSize = logs is null ? null : LogMaxSize(logs, "maxSize"),
            LogMaxFiles = (int?)logs?.Integer("maxFiles", 1, IsleLogging.MaximumMaxFiles),
            DefaultSubnetPool = SubnetPool(f, "defaultSubnetPool"),
            MetricsAddress = Endpoint(f, "metricsAddress"),
            CgroupParent = Parent(f, "cgroupParent"),
            RegistryMirrors = registries?.Has("mirrors") == true ? registries.List("mirrors", (n, p) => Mirror(f.Reader, n, p), "[https://mirror.example.com]") : null,
            InsecureRegistries = registries?.Has("insecure") == true ? registries.List("insecure", (n, p) => Registry(f.Reader, n, p), "[registry.lan:5000]") : null,
        };
    }

    private static string? AbsolutePath(Fields f, string key)
    {
        if (f.String(key) is not { } path) return null;
        if (path.Length > 0 && path[0] == '/' && !path.Contains('\0', StringComparison.Ordinal)) return path;
        f.Error(key, $"\"{path}\" is not an absolute path; write it from / (e.g. /var/lib/islander)");
        return null;
    }

    private static string? GroupName(Fields f, string key)
    {
        if (f.String(key) is not { } name) return null;
        // useradd's rule for names (and Debian's): letters, digits, _ . -; not starting with - ; at most 32.
        if (name.Length is > 0 and <= 32 && name[0] != '-' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-')) return name;
        f.Error(key, $"\"{name}\" is not a group name (letters, digits, _ . -, at most 32)");
        return null;
    }

    private static TimeSpan? Duration(Fields f, string key)
    {
        if (f.Get(key) is not { } node) return null;
        if (node is ScalarNode s && Durations.TryParse(s.Value, out var d) && d > TimeSpan.Zero) return d;
        f.Error(key, $"{node.Describe()} is not a positive duration; {Durations.Forms}");
        return null;
    }

    /// <summary>As an isle's <c>logging.maxSize</c>: a file must hold the longest entry.</summary>
    private static long? LogMaxSize(Fields f, string key)
    {
        var bytes = f.Bytes(key);
        if (bytes is < IsleLogging.MinimumMaxSize) f.Error(key, $"{bytes} bytes is below 128Ki, the size of the longest log entry (a 16 KiB line, escaped); e.g. 10Mi");
        return bytes is >= IsleLogging.MinimumMaxSize ? bytes : null;
    }

    private static IPNetwork? SubnetPool(Fields f, string key)
    {
        if (f.String(key) is not { } text) return null;
        // Networks take a /24 each from the pool, so it is an IPv4 range of /24 or wider.
        if (IPNetwork.TryParse(text, out var pool) && pool.BaseAddress.AddressFamily == AddressFamily.InterNetwork
            && pool.PrefixLength is >= 8 and <= 24
            && IPAddress.TryParse(text[..text.IndexOf('/', StringComparison.Ordinal)], out var first) && first.Equals(pool.BaseAddress))
            return pool;
        f.Error(key, $"\"{text}\" is not an IPv4 range from /8 to /24 written as its first address (e.g. 10.89.0.0/16); networks take a /24 each from it");
        return null;
    }

    private static string? Endpoint(Fields f, string key)
    {
        if (f.String(key) is not { } text) return null;
        if (IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port != 0 && text.Contains(':', StringComparison.Ordinal)
            && (endpoint.AddressFamily == AddressFamily.InterNetwork || text.StartsWith('[')))
            return text;
        f.Error(key, $"\"{text}\" is not an address and port; write e.g. 127.0.0.1:9323 or [::1]:9323");
        return null;
    }

    private static string? Parent(Fields f, string key)
    {
        if (f.String(key) is not { } text) return null;
        if (Model.CgroupParent.Normalize(text, out var error) is { } parent) return parent;
        f.Error(key, error!);
        return null;
    }

    /// <summary>What a mirror's URL looks like, for messages.</summary>
    public const string MirrorForm = "write https://host[:port] (http:// for a plain-HTTP mirror)";

    /// <summary>What an insecure registry looks like, for messages.</summary>
    public const string RegistryForm = "write host or host:port, without a scheme (e.g. registry.lan:5000)";

    /// <summary>
    /// <paramref name="text"/> as a registry mirror's URL (<c>https://host[:port][/path]</c> or <c>http://…</c>, no
    /// user, query or fragment), without a trailing '/'; null when it is not one.
    /// </summary>
    public static string? MirrorUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
            && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
            ? text.TrimEnd('/') : null;

    /// <summary>Whether <paramref name="text"/> is a registry as <c>registries.insecure</c> names one: host or host:port.</summary>
    public static bool IsRegistryHost(string text) =>
        text.Length > 0 && Uri.CheckHostName(HostOf(text)) != UriHostNameType.Unknown && !text.Contains('/', StringComparison.Ordinal);

    private static string? Mirror(NodeReader reader, Node node, string path)
    {
        if (node is ScalarNode s && MirrorUrl(s.Value) is { } url) return url;
        return Bad(reader, node, path, "is not a registry mirror's URL; " + MirrorForm);
    }

    private static string? Registry(NodeReader reader, Node node, string path)
    {
        if (node is ScalarNode s && IsRegistryHost(s.Value)) return s.Value;
        return Bad(reader, node, path, "is not a registry; " + RegistryForm);
    }

    private static string HostOf(string registry) =>
        registry.LastIndexOf(':') is var colon and > 0 && int.TryParse(registry[(colon + 1)..], out var port) && port is > 0 and < 65536
            ? registry[..colon] : registry;

    private static string? Bad(NodeReader reader, Node node, string path, string message)
    {
        reader.Error(node, path, $"{node.Describe()} {message}");
        return null;
    }
}
