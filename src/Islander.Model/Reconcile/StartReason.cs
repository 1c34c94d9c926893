namespace Islander.Model;

/// <summary>Why a <see cref="StartIsle"/> is in the plan.</summary>
public enum StartReason
{
    /// <summary>The isle does not exist yet.</summary>
    New,

    /// <summary>It was Pending or Creating: a pass stopped half-way; finish it.</summary>
    Resume,

    /// <summary>Creating it failed before (phase Error); try again (the controller applies backoff).</summary>
    RetryAfterError,
}
