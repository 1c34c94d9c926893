using Islander.Model.Api;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Islander.Cli.Api;

public sealed partial class IslanderClient
{
    /// <summary>An image reference in a path: each '/'-separated segment escaped, the slashes kept.</summary>
    static string ImagePath(string reference) => Prefix + "images/" + string.Join("/", reference.Split('/').Select(Uri.EscapeDataString));

    public async Task<string> GetImagesRawAsync(string? reference, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, reference is null ? Prefix + "images" : ImagePath(reference)), ct);
        return await ReadAsync(response, ct);
    }

    public async Task<IReadOnlyList<ImageView>> ListImagesAsync(CancellationToken ct) =>
        JsonSerializer.Deserialize(await GetImagesRawAsync(null, ct), ApiJson.Context.ImageListView)!.Items;

    public async Task<StatusView> RemoveImageAsync(string reference, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, ImagePath(reference)), ct);
        return JsonSerializer.Deserialize(await ReadAsync(response, ct), ApiJson.Context.StatusView)!;
    }

    /// <summary>Uploads a tarball; the daemon imports it (root filesystem, docker save or OCI archive).</summary>
    public async Task<ImageView> ImportImageAsync(Stream tarball, string? name, CancellationToken ct)
    {
        var content = new StreamContent(tarball, 1 << 16);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        var request = new HttpRequestMessage(HttpMethod.Post, $"{Prefix}images/import{(name is null ? "" : "?name=" + Uri.EscapeDataString(name))}") { Content = content };
        using var response = await SendAsync(request, ct);
        return JsonSerializer.Deserialize(await ReadAsync(response, ct), ApiJson.Context.ImageView)!;
    }

    /// <summary>
    /// The pull's steps: its progress lines, then the pulled image (the last step). A Status line (a failure) is thrown as
    /// a <see cref="ClientException"/>.
    /// </summary>
    public async IAsyncEnumerable<ImagePullStep> PullImageAsync(string reference, bool insecure, [EnumeratorCancellation] CancellationToken ct)
    {
        var path = $"{Prefix}images/pull?reference={Uri.EscapeDataString(reference)}{(insecure ? "&insecure=true" : "")}";
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, path), ct, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode) throw Failure(response, await response.Content.ReadAsStringAsync(ct));
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        bool ended = false;
        while (await ReadLineAsync(reader, ct) is { } line)
        {
            if (line.Length == 0) continue;
            switch (JsonSerializer.Deserialize(line, ApiJson.Context.KindView)?.Kind)
            {
                case "Status":
                    var status = JsonSerializer.Deserialize(line, ApiJson.Context.StatusView)!;
                    throw new ClientException(status.Message ?? "pull failed", status.Reason ?? "Error");
                case "Image":
                    ended = true;
                    yield return new ImagePullStep(null, JsonSerializer.Deserialize(line, ApiJson.Context.ImageView));
                    break;
                default:
                    yield return new ImagePullStep(JsonSerializer.Deserialize(line, ApiJson.Context.ImageProgressView), null);
                    break;
            }
        }
        if (!ended) throw new ClientException("islanderd ended the pull without a result; see its log", "Unavailable");
    }
}
