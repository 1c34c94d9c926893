namespace Islander.Model;

/// <summary>An isle's phase (DESIGN.md "Status").</summary>
public enum IslePhase
{
    /// <summary>Recorded, not yet being created.</summary>
    Pending,

    /// <summary>Being created: image, rootfs, cgroup, network, then the process. A pass that stops here is finished by the next.</summary>
    Creating,

    /// <summary>Its process was started. Whether it is still alive is <see cref="ActualIsle.ProcessAlive"/>, probed every pass.</summary>
    Running,

    /// <summary>Its process exited with code 0.</summary>
    Succeeded,

    /// <summary>Its process exited non-zero or was killed (OOM included).</summary>
    Failed,

    /// <summary>Stopped on purpose (<c>islanderctl stop</c>); restart policies do not apply, as with Docker.</summary>
    Stopped,

    /// <summary>Creating it failed (image pull, mount, cgroup); retried with backoff.</summary>
    Error,
}
