namespace Islander.Model;

/// <summary>A 1-based line and column in the manifest text.</summary>
internal readonly record struct Position(int Line, int Column);
