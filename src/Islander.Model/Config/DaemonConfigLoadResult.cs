namespace Islander.Model;

/// <summary>A config file read: its settings when it has no problem, else every problem with its line, column and field.</summary>
public sealed record DaemonConfigLoadResult(DaemonConfig? Config, IReadOnlyList<Diagnostic> Problems);
