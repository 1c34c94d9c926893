namespace Islander.Model.Api;

/// <summary>A problem in a manifest; <see cref="Text"/> is the compiler form <c>file:line:col: field: why</c>.</summary>
public sealed record ProblemView(string File, int Line, int Column, string Field, string Message, string Text)
{
    public static ProblemView From(Diagnostic d) => new(d.File, d.Line, d.Column, d.Field, d.Message, d.ToString());
}
