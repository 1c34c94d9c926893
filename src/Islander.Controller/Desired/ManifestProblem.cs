namespace Islander.Controller.Desired;

/// <summary>A problem in a manifest, in the compiler's form: <c>web.yaml:12:5: spec.resources.memory: why</c>.</summary>
public sealed record ManifestProblem(string File, int Line, int Column, string Field, string Message)
{
    public override string ToString() =>
        $"{File}:{Line}:{Column}: " + (Field.Length == 0 ? Message : $"{Field}: {Message}");
}
