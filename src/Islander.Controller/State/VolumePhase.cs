namespace Islander.Controller.State;

/// <summary>Where a volume stands; isles start only on a <see cref="Ready"/> volume.</summary>
public enum VolumePhase
{
    /// <summary>Not made yet.</summary>
    Pending,

    /// <summary>Made and mountable.</summary>
    Ready,

    /// <summary>The driver refused or failed (the reason and message say why and what to do).</summary>
    Error,

    /// <summary>Its content is being replaced by a snapshot's; its isles wait.</summary>
    Restoring,
}
