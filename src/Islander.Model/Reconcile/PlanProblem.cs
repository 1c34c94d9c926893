namespace Islander.Model;

/// <summary>Why the plan leaves an object alone (a dependsOn cycle, a missing network), for its status and events.</summary>
public sealed record PlanProblem(ObjectKey Object, string Message)
{
    public override string ToString() => $"{Object}: {Message}";
}
