namespace Islander.Drivers.Users;

/// <summary>One line of an /etc/passwd (passwd(5)): the fields islander uses to run a process as that user.</summary>
public sealed record PasswdEntry(string Name, uint Uid, uint Gid, string Home);
