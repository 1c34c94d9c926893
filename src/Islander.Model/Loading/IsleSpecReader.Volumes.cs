using System.Globalization;

namespace Islander.Model;

internal static partial class IsleSpecReader
{
    private static readonly string[] VolumeFields = ["name", "hostPath", "tmpfs", "mountPath", "readOnly"];
    private static readonly string[] Sources = ["name", "hostPath", "tmpfs"];

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
                f.Reader.Error(f.At, path, "has no source; set one of name (a Volume object), hostPath or tmpfs");
            }
            else if (sources.Count > 1)
            {
                f.Error(sources[1], $"set only one of name, hostPath and tmpfs (found {string.Join(" and ", sources)})");
            }

            var name = f.String("name");
            if (name is not null && !Names.IsDnsLabel(name)) f.Error("name", $"\"{name}\" is not a volume name; {Names.DnsLabelRule}");
            var hostPath = Paths.Absolute(f, "hostPath", "/srv/www");
            var tmpfs = f.Object("tmpfs", TmpfsFields) is { } t ? ReadTmpfs(t) : null;

            var mountPath = Paths.Absolute(f, "mountPath", "/data");
            if (!f.Has("mountPath")) f.Required("mountPath", "say where the isle sees it, e.g. mountPath: /data");
            else if (mountPath == "/") f.Error("mountPath", "cannot mount over the root; pick a directory such as /data");
            else if (mountPath is not null && MountDestinations.Refusal(mountPath, bind: tmpfs is null) is { } refused) f.Error("mountPath", refused);
            else if (mountPath is not null && !mountPaths.Add(mountPath.TrimEnd('/')))
            {
                f.Error("mountPath", $"{mountPath} is mounted twice; keep one entry");
            }
            var readOnly = f.Bool("readOnly") ?? false;

            if (f.Reader.Diagnostics.Count != before || mountPath is null) return null;
            return new VolumeMount { MountPath = mountPath, Name = name, HostPath = hostPath, Tmpfs = tmpfs, ReadOnly = readOnly };
        }, "[{name: data, mountPath: /data}]");
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
