namespace Islander.Model;

/// <summary>Collects the diagnostics of one file.</summary>
internal sealed class DiagnosticBag(string file)
{
    private readonly List<Diagnostic> _items = [];

    public string File { get; } = file;

    public int Count => _items.Count;

    public IReadOnlyList<Diagnostic> Items => _items;

    public void Add(Position at, string field, string message) => _items.Add(new Diagnostic(File, at.Line, at.Column, field, message));
}
