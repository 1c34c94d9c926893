namespace Islander.Model.Api;

/// <summary>One manifest file of a <see cref="PreviewRequestView"/>: its path as problems name it, and its text.</summary>
public sealed record ManifestFileView(string Path, string Text);
