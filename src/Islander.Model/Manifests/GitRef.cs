namespace Islander.Model;

/// <summary>
/// <c>spec.git.ref</c>: one of a branch, a tag or a commit (<c>ref: main</c> is a branch); none is the remote's
/// default branch.
/// </summary>
public sealed record GitRef
{
    public string? Branch { get; init; }
    public string? Tag { get; init; }

    /// <summary>A full commit id: 40 hex digits (SHA-1) or 64 (SHA-256).</summary>
    public string? Commit { get; init; }

    /// <summary>How a revision names the ref: <c>main</c>, <c>v1.2</c>, <c>HEAD</c>, or the commit itself.</summary>
    public override string ToString() => Branch ?? Tag ?? Commit ?? "HEAD";
}
