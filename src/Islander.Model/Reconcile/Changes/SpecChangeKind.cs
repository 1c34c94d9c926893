namespace Islander.Model;

/// <summary>
/// What a changed field of an isle's spec takes to apply, least disruptive first (the order matters: an edit needs what
/// its most demanding field needs).
/// </summary>
public enum SpecChangeKind
{
    /// <summary>Applied to the running isle in place: its cgroup is written, or only the daemon's record changes. Same pid.</summary>
    Live,

    /// <summary>
    /// A new process in the same isle: stopped (stop signal, then SIGKILL after stopTimeout) and started with the new
    /// spec; its name, addresses, named volumes and log are kept.
    /// </summary>
    Restart,

    /// <summary>
    /// The isle is made anew: what it is built from changed (root filesystem, mounts, networks, namespaces, device
    /// policy, the writable layer's limit).
    /// </summary>
    Recreate,
}
