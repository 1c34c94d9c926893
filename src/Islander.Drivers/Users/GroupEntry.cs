namespace Islander.Drivers.Users;

/// <summary>One line of an /etc/group (group(5)): its name, gid and the users listed as members.</summary>
public sealed record GroupEntry(string Name, uint Gid, IReadOnlyList<string> Members);
