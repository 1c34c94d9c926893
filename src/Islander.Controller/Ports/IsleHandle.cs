namespace Islander.Controller.Ports;

/// <summary>A started isle: host pid of its init, pid of its shim, and when it started.</summary>
public sealed record IsleHandle(int Pid, int ShimPid, DateTimeOffset StartedAt);
