namespace Islander.Model;

/// <summary>
/// An isle's phase: the state of its lifecycle machine (the controller's <c>IsleLifecycle</c>, drawn in
/// docs/isle-lifecycle.dot) and the API's <c>status.phase</c>.
/// </summary>
public enum IslePhase
{
    /// <summary>Recorded, not yet being created.</summary>
    Pending,

    /// <summary>Being created: image, rootfs, cgroup, network, then the process. A pass that stops here is finished by the next.</summary>
    Creating,

    /// <summary>Its process was started. Whether it is still alive is <see cref="ActualIsle.ProcessAlive"/>, probed every pass.</summary>
    Running,

    /// <summary>
    /// Its processes are frozen (<c>islanderctl pause</c>: freezer.state on cgroup v1, cgroup.freeze on v2) until
    /// <c>unpause</c>. Alive, so neither started again nor health-checked; a stop thaws it first so its signal lands.
    /// </summary>
    Paused,

    /// <summary>Its process exited with code 0.</summary>
    Succeeded,

    /// <summary>Its process exited non-zero or was killed (OOM included).</summary>
    Failed,

    /// <summary>
    /// It ended and its restart policy restarts it, or creating it failed in a way that may pass (a transient error,
    /// an unreachable registry): start it again once the controller's back-off delay is over (Kubernetes'
    /// CrashLoopBackOff and ImagePullBackOff).
    /// </summary>
    BackOff,

    /// <summary>The stop signal was sent; waiting for the process to end (then SIGKILL after the stop timeout).</summary>
    Stopping,

    /// <summary>
    /// Stopped: by <c>islanderctl stop</c> (reason StoppedByUser), which restart policies do not undo, as Docker's and
    /// systemctl's stop, until a start or a spec change; or by the controller on its way to a recreate.
    /// </summary>
    Stopped,

    /// <summary>
    /// The runtime refused its spec (command not found, unsupported option, image not found or not allowed): starting
    /// it again cannot work, so nothing is done until the spec changes, which recreates it. Docker does not restart a
    /// container whose start failed either; failures that may pass are <see cref="BackOff"/>.
    /// </summary>
    Error,

    /// <summary>Being removed: stopped, then every trace deleted; the record goes when that is done.</summary>
    Deleting,
}
