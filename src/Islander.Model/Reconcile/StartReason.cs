namespace Islander.Model;

/// <summary>Why a <see cref="StartIsle"/> is in the plan.</summary>
public enum StartReason
{
    /// <summary>The isle does not exist yet.</summary>
    New,

    /// <summary>It was Pending or Creating: a pass stopped half-way; finish it.</summary>
    Resume,

    /// <summary>
    /// It is in <see cref="IslePhase.BackOff"/>: it ended and its restart policy restarts it, or creating it failed in a
    /// way that may pass. Due as far as the facts go; the controller starts it once its back-off delay is over.
    /// </summary>
    AfterBackOff,
}
