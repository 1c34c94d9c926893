namespace Islander.Drivers.Runtime;

/// <summary>One process of a running isle, as <c>ps</c> inside it would show it and as the host knows it.</summary>
/// <param name="Pid">Its pid inside the isle (1 is the isle's init).</param>
/// <param name="HostPid">Its pid on the host.</param>
/// <param name="Uid">Its real uid inside the isle.</param>
/// <param name="User">That uid's name in the isle's own /etc/passwd, or the number.</param>
/// <param name="Command">Its arguments, or its name in brackets when it has none (as ps shows a zombie).</param>
public sealed record IsleTask(int Pid, int HostPid, uint Uid, string User, string Command);
