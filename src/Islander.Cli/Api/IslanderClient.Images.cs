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

    public async Task<IReadOnlyList<ApiImage>> ListImagesAsync(CancellationToken ct) =>
        JsonSerializer.Deserialize(await GetImagesRawAsync(null, ct), ImageJsonContext.Default.ApiImageList)!.Items;

    public async Task<ApiStatus> RemoveImageAsync(string reference, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, ImagePath(reference)), ct);
        return JsonSerializer.Deserialize(await ReadAsync(response, ct), ApiJsonContext.Default.ApiStatus)!;
    }

    /// <summary>Uploads a tarball; the daemon imports it (root filesystem, docker save or OCI archive).</summary>
    public async Task<ApiImage> ImportImageAsync(Stream tarball, string? name, CancellationToken ct)
    {
        var content = new StreamContent(tarball, 1 << 16);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        var request = new HttpRequestMessage(HttpMethod.Post, $"{Prefix}images/import{(name is null ? "" : "?name=" + Uri.EscapeDataString(name))}") { Content = content };
        using var response = await SendAsync(request, ct);
        return JsonSerializer.Deserialize(await ReadAsync(response, ct), ImageJsonContext.Default.ApiImage)!;
    }

    /// <summary>The pull's progress lines; the last is the Image or a Status (a failure, thrown as a <see cref="ClientException"/>).</summary>
    public async IAsyncEnumerable<ApiPullLine> PullImageAsync(string reference, bool insecure, [EnumeratorCancellation] CancellationToken ct)
    {
        var path = $"{Prefix}images/pull?reference={Uri.EscapeDataString(reference)}{(insecure ? "&insecure=true" : "")}";
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, path), ct, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode) throw Failure(response, await response.Content.ReadAsStringAsync(ct));
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        bool ended = false;
        while (await ReadLineAsync(reader, ct) is { } line)
        {
            if (line.Length == 0) continue;
            var item = JsonSerializer.Deserialize(line, ImageJsonContext.Default.ApiPullLine)!;
            if (item.Kind == "Status")
                throw new ClientException(item.Message ?? "pull failed", item.Reason ?? "Error");
            ended |= item.Kind == "Image";
            yield return item;
        }
        if (!ended) throw new ClientException("islanderd ended the pull without a result; see its log", "Unavailable");
    }
}
