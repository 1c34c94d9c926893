using Islander.Model;

namespace Islander.Drivers.Interop;

/// <summary>A failed mount, printed as runc prints mountError: <c>mount src=/a, dst=/b, type=overlay, flags=MS_BIND|MS_REC: EPERM (...)</c>.</summary>
public sealed class MountException(string op, string? source, string target, string? fsType, MountFlags flags, int errno)
    : IslanderException(Format(op, source, target, fsType, flags, errno), Interop.Errno.Category(errno))
{
    public string Op { get; } = op;
    public string? MountSource { get; } = source;
    public string Target { get; } = target;
    public int Errno { get; } = errno;

    static string Format(string op, string? source, string target, string? fsType, MountFlags flags, int errno)
    {
        var parts = new List<string>();
        if (source is not null) parts.Add($"src={source}");
        parts.Add($"dst={target}");
        if (fsType is not null) parts.Add($"type={fsType}");
        if (flags != MountFlags.None) parts.Add($"flags={flags.ToString().Replace(", ", "|")}");
        return $"{op} {string.Join(", ", parts)}: {Interop.Errno.Describe(errno)}";
    }
}
