using Islander.Model.Api;
using System.Text.Json;

namespace Islander.Cli.Api;

public sealed partial class IslanderClient
{
    /// <summary>Keeps a volume's content as a named snapshot.</summary>
    public Task<StatusView> SnapshotVolumeAsync(string volume, string snapshot, CancellationToken ct) => VolumeActionAsync(volume, "snapshot", snapshot, ct);

    /// <summary>Restores a volume from a snapshot; <see cref="StatusView.Isles"/> are the isles stopped for it, to start again.</summary>
    public Task<StatusView> RestoreVolumeAsync(string volume, string snapshot, CancellationToken ct) => VolumeActionAsync(volume, "restore", snapshot, ct);

    async Task<StatusView> VolumeActionAsync(string volume, string action, string snapshot, CancellationToken ct)
    {
        var path = $"{Prefix}volumes/{Uri.EscapeDataString(volume)}/{action}?snapshot={Uri.EscapeDataString(snapshot)}";
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, path), ct);
        return JsonSerializer.Deserialize(await ReadAsync(response, ct), ApiJson.Context.StatusView)!;
    }
}
