namespace Islander.Controller.Lifecycle;

public enum IsleTrigger
{
    /// <summary>Intention: run it (first start, restart after back-off, start with a new spec).</summary>
    Start,
    /// <summary>The runtime reports its process runs.</summary>
    Started,
    /// <summary>The runtime could not start it, but trying again may work.</summary>
    StartFailed,
    /// <summary>The runtime refused the spec: trying again cannot work.</summary>
    StartRejected,
    /// <summary>Its process ended (carries an <see cref="Ports.IsleExit"/>).</summary>
    Exited,
    /// <summary>Intention: stop it, keep its record.</summary>
    Stop,
    /// <summary>The process is gone after a stop.</summary>
    Stopped,
    /// <summary>Its processes were frozen (<c>islanderctl pause</c>).</summary>
    Pause,
    /// <summary>Its processes were thawed (<c>islanderctl unpause</c>).</summary>
    Unpause,
    /// <summary>Intention: remove it.</summary>
    Delete,
    /// <summary>The delete is finished and the isle is desired again: it starts afresh.</summary>
    Deleted,
}
