namespace Islander.Drivers.Users;

/// <summary>
/// Parses /etc/passwd and /etc/group text (passwd(5), group(5)). Pure. Lenient the way libc's files
/// backend is: blank lines, '#' comments, NIS compat lines ('+', '-') and malformed lines are skipped,
/// never guessed at; in particular a uid or gid that is not a number never becomes 0 (runc's parser
/// turns it into 0, which would run a process as root by accident).
/// </summary>
public static class PasswdFile
{
    /// <summary>name:password:uid:gid:gecos:home:shell, one per line.</summary>
    public static IReadOnlyList<PasswdEntry> ParseUsers(string text) =>
        Lines(text, minFields: 4).Select(f => Id(f, 2) is { } uid && Id(f, 3) is { } gid
            ? new PasswdEntry(f[0], uid, gid, f.Length > 5 ? f[5] : "")
            : null).OfType<PasswdEntry>().ToList();

    /// <summary>name:password:gid:member,member, one per line.</summary>
    public static IReadOnlyList<GroupEntry> ParseGroups(string text) =>
        Lines(text, minFields: 3).Select(f => Id(f, 2) is { } gid
            ? new GroupEntry(f[0], gid, f.Length > 3 ? f[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [])
            : null).OfType<GroupEntry>().ToList();

    static IEnumerable<string[]> Lines(string text, int minFields) =>
        text.Split('\n')
            .Select(line => line.TrimEnd('\r'))
            .Where(line => line.Trim().Length > 0 && line.TrimStart()[0] is not ('#' or '+' or '-'))
            .Select(line => line.Split(':'))
            .Where(f => f.Length >= minFields && f[0].Length > 0);

    static uint? Id(string[] fields, int index) => IsleUser.Id(fields[index]);
}
