namespace Islander.Cli.Api;

public sealed partial class IslanderClient
{
    /// <summary>
    /// One isle's IsleStats (<c>GET isles/NAME/stats</c>; NotFound for an unknown isle, Conflict when it is not running),
    /// or with a null <paramref name="name"/> the IsleStatsList of every running isle (<c>GET stats</c>) that <paramref name="selector"/> selects, as the API's JSON text.
    /// </summary>
    public async Task<string> StatsRawAsync(string? name, CancellationToken ct, string? selector = null)
    {
        var path = Prefix + (name is null ? "stats" + Query(selector) : $"isles/{Uri.EscapeDataString(name)}/stats");
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), ct);
        return await ReadAsync(response, ct);
    }
}
