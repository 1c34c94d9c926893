using System.Globalization;
using Islander.Model;

namespace Islander.Drivers.Users;

/// <summary>The ids an isle's process runs as, and the home directory HOME defaults to.</summary>
public sealed record IsleUser(uint Uid, uint Gid, IReadOnlyList<uint> AdditionalGids, string Home)
{
    /// <summary>Root with no passwd entry to say more: gid 0 (also its only supplementary group), HOME=/ (runc's defaults).</summary>
    public static readonly IsleUser Root = new(0, 0, [0], "/");

    /// <summary>Value equality, the supplementary groups compared in order (a record alone compares the list's reference).</summary>
    public bool Equals(IsleUser? other) =>
        other is not null && (Uid, Gid, Home) == (other.Uid, other.Gid, other.Home) && AdditionalGids.SequenceEqual(other.AdditionalGids);

    public override int GetHashCode() => HashCode.Combine(Uid, Gid, Home, AdditionalGids.Count);

    /// <summary>
    /// Resolves a user as Docker does (runc's GetExecUser), against the isle's own passwd and group
    /// entries (null: the root filesystem has no such file). <paramref name="user"/> is <c>name</c>,
    /// <c>uid</c>, <c>name:group</c>, <c>uid:gid</c>, <c>name:gid</c> or <c>uid:group</c>; empty means root.
    /// <list type="bullet">
    /// <item>A numeric user matches the passwd entry with that uid, a name the entry with that name. A
    /// matched entry gives the primary gid and the home; a uid without entry runs with gid 0 and HOME=/.</item>
    /// <item>An explicit group (a gid, or a name looked up in /etc/group) replaces the primary gid, and the
    /// process then gets no other supplementary groups; without one, it gets every group whose member list names the user.</item>
    /// <item>The primary gid is always the first supplementary group too, as containerd and Docker do since
    /// CVE-2023-25173 and CVE-2022-36109: a group cannot be left, so a process that changes its gid (a setgid
    /// program) stays in its primary group, and a file's "no access for this group" mode still applies to it.</item>
    /// </list>
    /// Pure: the caller reads the files from the isle's root.
    /// </summary>
    /// <exception cref="IslanderException">NotFound: a name without entry; InvalidManifest: not a user at all.</exception>
    public static IsleUser Resolve(string? user, IReadOnlyList<PasswdEntry>? passwd, IReadOnlyList<GroupEntry>? groups)
    {
        var (userPart, groupPart) = Split(user ?? "");
        uint? uidArg = userPart.Length == 0 ? 0 : Id(userPart);
        var entry = passwd?.FirstOrDefault(e => uidArg is { } uid ? e.Uid == uid : e.Name == userPart);
        if (entry is null && uidArg is null)
            throw new IslanderException(passwd is null
                ? $"user \"{userPart}\" not found: the isle's root filesystem has no /etc/passwd; use a numeric uid"
                : $"user \"{userPart}\" not found in the isle's /etc/passwd", ErrorCategory.NotFound);

        uint uid = entry?.Uid ?? uidArg!.Value;
        uint gid = entry?.Gid ?? 0;
        string home = entry?.Home is { Length: > 0 } h ? h : "/";
        if (groupPart is not null)
        {
            uint group = Group(groupPart, groups);
            return new IsleUser(uid, group, [group], home);
        }
        // Supplementary groups need a name to look for in the member lists.
        var members = entry is null ? [] : (groups ?? []).Where(g => g.Members.Contains(entry.Name)).Select(g => g.Gid);
        return new IsleUser(uid, gid, members.Prepend(gid).Distinct().ToList(), home);
    }

    /// <summary>A gid as is (an entry or not, as Docker), or a group name looked up in /etc/group.</summary>
    static uint Group(string group, IReadOnlyList<GroupEntry>? groups)
    {
        if (Id(group) is { } gid)
            return gid;
        return groups?.FirstOrDefault(g => g.Name == group)?.Gid
            ?? throw new IslanderException(groups is null
                ? $"group \"{group}\" not found: the isle's root filesystem has no /etc/group; use a numeric gid"
                : $"group \"{group}\" not found in the isle's /etc/group", ErrorCategory.NotFound);
    }

    static (string User, string? Group) Split(string user)
    {
        var parts = user.Split(':');
        if (parts.Length > 2 || (parts.Length == 2 && (parts[0].Length == 0 || parts[1].Length == 0)))
            throw new IslanderException($"user \"{user}\" is not a user; write name, uid, name:group or uid:gid, e.g. \"1000:1000\" or \"nginx\"", ErrorCategory.InvalidManifest);
        return (parts[0], parts.Length == 2 ? parts[1] : null);
    }

    /// <summary>A decimal id; (uid_t)-1 is not one (it means "no change" to setresuid).</summary>
    internal static uint? Id(string s) =>
        uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id != uint.MaxValue ? id : null;
}
