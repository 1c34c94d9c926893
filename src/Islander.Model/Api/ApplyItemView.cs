using System.Text.Json;

namespace Islander.Model.Api;

/// <summary>
/// One object of an apply: <see cref="Outcome"/> created, configured, unchanged, invalid or error (then
/// <see cref="Reason"/> and <see cref="Message"/>). On a dry run, <see cref="Current"/> (a JSON null for a new object)
/// and <see cref="Desired"/> are the spec before and after. A preview's outcomes also include pruned, released (kept
/// running, owned by the API from then on) and conflict (another owner holds it; <see cref="Message"/> says which).
/// </summary>
public sealed record ApplyItemView(string Kind, string Name, string Outcome, long? Generation = null, string? Reason = null, string? Message = null,
    JsonElement? Current = null, JsonElement? Desired = null);
