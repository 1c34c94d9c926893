namespace Islander.Controller.Sources;

/// <summary>One commit of a source's ref, named as Flux names it: <c>main@sha1:0b1c...</c>.</summary>
public sealed record SourceRevision(string Ref, string Commit)
{
    public override string ToString() => $"{Ref}@{(Commit.Length == 64 ? "sha256" : "sha1")}:{Commit}";

    /// <summary>The short form for messages: <c>main@0b1c2d3e4f5a</c>.</summary>
    public string Short => $"{Ref}@{Commit[..Math.Min(12, Commit.Length)]}";
}
