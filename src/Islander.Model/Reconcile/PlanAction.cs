namespace Islander.Model;

/// <summary>
/// One step of a <see cref="Plan"/>. Every action is idempotent: carrying it out when it is already done succeeds,
/// so a pass interrupted half-way is finished by the next.
/// </summary>
public abstract record PlanAction
{
    /// <summary>The object the action changes.</summary>
    public abstract ObjectKey Target { get; }

    /// <summary>A short human line: <c>+ create network backend</c>.</summary>
    public abstract string Describe();

    /// <summary>Lines under <see cref="Describe"/> in <c>islanderctl diff</c>: for an isle's edit, each changed field and what it takes.</summary>
    public virtual IReadOnlyList<string> Details => [];
}
