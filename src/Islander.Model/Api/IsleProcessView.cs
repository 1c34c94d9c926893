namespace Islander.Model.Api;

/// <summary>One process of a running isle (<c>islanderctl top</c>).</summary>
/// <param name="Pid">Its pid inside the isle, as <c>ps</c> there shows it (1: the isle's init).</param>
/// <param name="HostPid">Its pid on the host, as the host's <c>ps</c> and <c>docker top</c> show it.</param>
/// <param name="Uid">Its real uid inside the isle.</param>
/// <param name="User">That uid's name in the isle's /etc/passwd, or the number.</param>
/// <param name="Command">Its command line, or <c>[name]</c> when it has none.</param>
public sealed record IsleProcessView(int Pid, int HostPid, uint Uid, string User, string Command);
