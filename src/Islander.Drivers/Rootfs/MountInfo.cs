using System.Buffers;

namespace Islander.Drivers.Rootfs;

/// <summary>One line of /proc/PID/mountinfo (proc(5)).</summary>
public sealed record MountInfoEntry(int Id, int ParentId, string Root, string MountPoint, string Options, string FsType, string Source, string SuperOptions);

/// <summary>Parser of /proc/PID/mountinfo; takes text so tests need no kernel.</summary>
public static class MountInfo
{
    public static IReadOnlyList<MountInfoEntry> Parse(string text)
    {
        var entries = new List<MountInfoEntry>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
            var fields = line.Split(' ');
            int separator = Array.IndexOf(fields, "-", 6);
            if (separator < 0 || separator + 2 >= fields.Length)
                continue;
            entries.Add(new MountInfoEntry(
                int.Parse(fields[0]), int.Parse(fields[1]), Unescape(fields[3]), Unescape(fields[4]), fields[5],
                fields[separator + 1], Unescape(fields[separator + 2]), separator + 3 < fields.Length ? fields[separator + 3] : ""));
        }
        return entries;
    }

    /// <summary>The kernel escapes space, tab, newline and backslash as \ooo octal.</summary>
    public static string Unescape(string field)
    {
        if (!field.Contains('\\'))
            return field;
        var sb = new System.Text.StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                sb.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
                sb.Append(field[i]);
        }
        return sb.ToString();
    }

    static readonly SearchValues<char> OctalDigits = SearchValues.Create("01234567");

    static bool IsOctal(string s, int start) =>
        start + 3 <= s.Length && s.AsSpan(start, 3).IndexOfAnyExcept(OctalDigits) < 0;

    /// <summary>Whether <paramref name="path"/> is a mount point in the calling process's mount namespace.</summary>
    public static bool IsMountPoint(string path) =>
        Parse(File.ReadAllText("/proc/self/mountinfo")).Any(m => m.MountPoint == path.TrimEnd('/'));
}
