namespace Islander.Model.Api;

/// <summary>
/// The result of an apply: one item per object, every problem of the manifests; on a dry run, <see cref="Plan"/> is
/// what the daemon would do (<c>+ start isle web (New)</c>). A preview (<see cref="PreviewRequestView"/>) names the
/// <see cref="Owner"/> it previewed the manifests as.
/// </summary>
public sealed record ApplyResultView(string ApiVersion, string Kind, bool DryRun, IReadOnlyList<ApplyItemView> Items, IReadOnlyList<ProblemView> Problems,
    IReadOnlyList<string>? Plan = null, string? Owner = null);
