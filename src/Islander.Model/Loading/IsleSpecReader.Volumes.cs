using System.Globalization;

namespace Islander.Model;

internal static partial class IsleSpecReader
{
    private static readonly string[] VolumeFields = ["name", "hostPath", "tmpfs", "configFile", "configData", "onChange", "mountPath", "readOnly"];
    private static readonly string[] Sources = ["name", "hostPath", "tmpfs", "configFile"];

    private static IReadOnlyList<VolumeMount> ReadVolumes(Fields spec)
    {
        var mountPaths = new HashSet<string>(StringComparer.Ordinal);
        return spec.List("volumes", (node, path) =>
        {
            if (spec.Reader.Object(node, path, VolumeFields) is not { } f) return null;
            var before = f.Reader.Diagnostics.Count;

            var sources = Sources.Where(f.Has).ToList();
            if (sources.Count == 0)
            {
                f.Reader.Error(f.At, path, "has no source; set one of name (a Volume object), hostPath, tmpfs or configFile (a file beside the manifest)");
            }
            else if (sources.Count > 1)
            {
                f.Error(sources[1], $"set only one of name, hostPath, tmpfs and configFile (found {string.Join(" and ", sources)})");
            }

            var name = f.String("name");
            if (name is not null && !Names.IsDnsLabel(name)) f.Error("name", $"\"{name}\" is not a volume name; {Names.DnsLabelRule}");
            var hostPath = Paths.Absolute(f, "hostPath", "/srv/www");
            var tmpfs = f.Object("tmpfs", ["size", "mode"]) is { } t ? ReadTmpfs(t) : null;

            var mountPath = Paths.Absolute(f, "mountPath", "/data");
            if (!f.Has("mountPath")) f.Required("mountPath", "say where the isle sees it, e.g. mountPath: /data");
            else if (mountPath == "/") f.Error("mountPath", "cannot mount over the root; pick a directory such as /data");
            else if (mountPath is not null && MountDestinations.Refusal(mountPath, bind: tmpfs is null) is { } refused) f.Error("mountPath", refused);
            else if (mountPath is not null && !mountPaths.Add(mountPath.TrimEnd('/')))
            {
                f.Error("mountPath", $"{mountPath} is mounted twice; keep one entry");
            }
            var readOnly = f.Bool("readOnly") ?? false;
            var config = ReadConfigFile(f);
            if (config.File is not null && f.Has("readOnly") && !readOnly) f.Error("readOnly", "a config file is always read-only in the isle; leave readOnly out");

            if (f.Reader.Diagnostics.Count != before || mountPath is null) return null;
            return new VolumeMount
            {
                MountPath = mountPath, Name = name, HostPath = hostPath, Tmpfs = tmpfs, ReadOnly = readOnly || config.File is not null,
                ConfigFile = config.File, ConfigData = config.Data, ReloadSignal = config.Signal,
            };
        }, "[{name: data, mountPath: /data}]");
    }

    /// <summary>
    /// <c>configFile</c> (a path relative to the manifest's directory: where it resolves, and that it stays inside the
    /// tree, only the daemon can tell, with the tree at hand), <c>configData</c> (its content, base64, as islanderctl
    /// sends it) and <c>onChange</c> (<c>restart</c>, the default, or <c>{signal: HUP}</c>).
    /// </summary>
    private static (string? File, string? Data, int? Signal) ReadConfigFile(Fields f)
    {
        var file = f.String("configFile");
        if (file is not null && ConfigFileProblem(file) is { } problem) f.Error("configFile", problem);
        foreach (var only in (string[])["configData", "onChange"])
            if (f.Has(only) && !f.Has("configFile")) f.Error(only, "is for a configFile volume only; add configFile: FILE or remove it");

        var data = f.String("configData");
        if (data is not null)
        {
            var bytes = new byte[data.Length * 3 / 4 + 3];
            if (!Convert.TryFromBase64String(data, bytes, out var length))
                f.Error("configData", "is not base64; islanderctl apply fills it from the configFile beside the manifest, or leave it out");
            else if (length > ManifestLimits.MaxConfigFileBytes)
                f.Error("configData", $"holds {ByteSize.Format(length)}; a config file may be at most {ByteSize.Format(ManifestLimits.MaxConfigFileBytes)}: keep larger data in a volume or the image");
        }

        int? signal = null;
        switch (f.Get("onChange"))
        {
            case null or ScalarNode { Value: "restart" }:
                break;
            case MappingNode:
                if (f.Object("onChange", ["signal"]) is not { } change) break;
                if (change.Get("signal") is not { } node) change.Required("signal", "name the signal the isle reloads on, e.g. {signal: HUP}");
                else if (node is ScalarNode s && Signals.TryParse(s.Value, out var number)) signal = number;
                else change.Error("signal", $"{Describe(node)} is not a signal; {Signals.Forms}");
                break;
            case var other:
                f.Error("onChange", $"{Describe(other)} is not an action; write onChange: restart or onChange: {{signal: HUP}}");
                break;
        }
        return (file, data, signal);
    }

    /// <summary>Why <paramref name="path"/> cannot name a config file, or null: relative, clean enough to read, not a directory.</summary>
    public static string? ConfigFileProblem(string path)
    {
        if (path.Length == 0 || path.Contains('\0'))
            return "is empty or holds a NUL; name a file beside the manifest, e.g. configFile: nginx.conf";
        if (path.StartsWith('/'))
            return $"\"{ManifestLimits.Excerpt(path)}\" is absolute; a config file is named relative to the manifest's directory and stays inside its tree (for a host file use hostPath)";
        if (path.EndsWith('/') || path.Split('/')[^1] is "." or "..")
            return $"\"{ManifestLimits.Excerpt(path)}\" names a directory; name a file, e.g. configFile: nginx.conf";
        return null;
    }

    private static TmpfsOptions ReadTmpfs(Fields t)
    {
        var size = t.Bytes("size");
        if (size == 0) t.Error("size", "must be more than 0; leave size out for the kernel's default (half of RAM)");
        return new TmpfsOptions(size, ReadMode(t));
    }

    /// <summary>
    /// A permission mode, always octal as chmod takes it: <c>1777</c>, <c>0755</c>, <c>0o755</c>. YAML 1.1 would read a
    /// plain <c>0755</c> as octal but <c>755</c> as decimal; taking every form as octal avoids that trap.
    /// </summary>
    private static int? ReadMode(Fields t)
    {
        if (t.Get("mode") is not { } node) return null;
        var text = node is ScalarNode s ? s.Value : "";
        var digits = text.StartsWith("0o", StringComparison.Ordinal) ? text[2..] : text;
        if (digits.Length is > 0 and <= 5 && digits.All(c => c is >= '0' and <= '7'))
        {
            var mode = Convert.ToInt32(digits, 8);
            if (mode <= 0x0FFF) return mode;
        }
        t.Error("mode", $"{(node is ScalarNode ? $"\"{text}\"" : node.Describe())} is not a mode; write octal permissions such as 1777 or 0755");
        return null;
    }

    internal static string FormatMode(int mode) => Convert.ToString(mode, 8).PadLeft(4, '0').ToString(CultureInfo.InvariantCulture);
}
