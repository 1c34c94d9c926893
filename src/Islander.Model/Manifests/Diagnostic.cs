namespace Islander.Model;

/// <summary>
/// One problem found in a manifest: where (file, 1-based line and column), which field (<c>spec.resources.memory</c>,
/// <c>spec.env[2].name</c>; empty for a YAML syntax error), and a message that says what is wrong and what to do.
/// </summary>
public sealed record Diagnostic(string File, int Line, int Column, string Field, string Message)
{
    /// <summary>The compiler's form: <c>web.yaml:12:5: spec.resources.memory: "64Q" is not a quantity; use forms like 64Mi, …</c></summary>
    public override string ToString() =>
        Field.Length == 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}:{Line}:{Column}: {Field}: {Message}";
}
