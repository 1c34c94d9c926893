namespace Islander.Controller.Ports;

public enum IsleProcessState
{
    /// <summary>The runtime knows no isle of this name (never started, or deleted).</summary>
    NotFound,
    /// <summary>Its init is alive.</summary>
    Running,
    /// <summary>It ended; <see cref="IsleObservation.Exit"/> says how.</summary>
    Exited,
}

/// <summary>What <see cref="IIsleRuntime.Probe"/> saw in the kernel and the isle's run directory.</summary>
public sealed record IsleObservation(IsleProcessState State, int? Pid = null, int? ShimPid = null, DateTimeOffset? StartedAt = null, IsleExit? Exit = null)
{
    public static IsleObservation NotFound { get; } = new(IsleProcessState.NotFound);
}
