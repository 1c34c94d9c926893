using System.Globalization;
using System.Text.Json;
using Islander.Model.Api;

namespace Islander.Cli.Api;

public sealed partial class IslanderClient
{
    /// <summary>The isle's revisions, oldest first, as the API returns them (JSON).</summary>
    public async Task<string> RolloutHistoryRawAsync(string isle, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{Prefix}isles/{Uri.EscapeDataString(isle)}/rollouts"), ct);
        return await ReadAsync(response, ct);
    }

    public async Task<RolloutListView> RolloutHistoryAsync(string isle, CancellationToken ct) =>
        JsonSerializer.Deserialize(await RolloutHistoryRawAsync(isle, ct), ApiJson.Context.RolloutListView)!;

    /// <summary>Applies an earlier revision's spec (the last good one by default) to an isle applied through the API.</summary>
    public async Task<StatusView> RolloutUndoAsync(string isle, int? toRevision, CancellationToken ct)
    {
        var path = $"{Prefix}isles/{Uri.EscapeDataString(isle)}/rollouts/undo"
            + (toRevision is { } r ? "?toRevision=" + r.ToString(CultureInfo.InvariantCulture) : "");
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, path), ct);
        return JsonSerializer.Deserialize(await ReadAsync(response, ct), ApiJson.Context.StatusView)!;
    }
}
