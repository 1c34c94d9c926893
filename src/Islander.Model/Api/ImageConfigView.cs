using System.Text.Json.Serialization;

namespace Islander.Model.Api;

/// <summary>An image's defaults for the process: entrypoint, cmd, env, working directory and user (null when unset).</summary>
public sealed record ImageConfigView(
    IReadOnlyList<string>? Entrypoint,
    IReadOnlyList<string>? Cmd,
    IReadOnlyList<string>? Env,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? WorkingDir,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? User);
