namespace Islander.Controller.Lifecycle;

/// <summary>States of one isle's lifecycle; see docs/isle-lifecycle.dot. The name is also the API's <c>status.phase</c>.</summary>
public enum IsleState
{
    /// <summary>Desired but not started yet (new, or waiting for its dependencies).</summary>
    Pending,
    /// <summary>The runtime is starting it. A record left here by a crash is finished by starting again (idempotent).</summary>
    Creating,
    Running,
    /// <summary>Exited 0 and its restart policy does not restart it.</summary>
    Succeeded,
    /// <summary>Exited non-zero (or was killed) and its restart policy does not restart it.</summary>
    Failed,
    /// <summary>Waiting out the restart delay before starting again (Kubernetes' CrashLoopBackOff).</summary>
    BackOff,
    /// <summary>The stop signal was sent; waiting for the process to end.</summary>
    Stopping,
    /// <summary>Stopped by islander (before a recreate).</summary>
    Stopped,
    /// <summary>Cannot start with this spec (terminal); only a new spec leaves this state.</summary>
    Error,
    /// <summary>Being removed: stopped, then every trace deleted; the record goes when that is done.</summary>
    Deleting,
}
