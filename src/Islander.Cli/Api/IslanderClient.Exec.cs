using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Islander.Model.Api;
using Islander.Drivers.Runtime;

namespace Islander.Cli.Api;

public sealed partial class IslanderClient
{
    /// <summary>
    /// <c>POST isles/NAME/exec</c>: runs <paramref name="command"/> in the running isle, hands each chunk of its
    /// stdout (1) and stderr (2) to <paramref name="output"/> and returns how it ended. Cancelling closes the
    /// connection, which kills the process. Errors (no such isle, not running, command not found) are
    /// <see cref="ClientException"/>s with the API's reason.
    /// </summary>
    public async Task<ExecResult> ExecAsync(string name, IReadOnlyList<string> command, IReadOnlyList<string> env, string? user, string? workingDir,
        Func<int, byte[], Task> output, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["command"] = new JsonArray(command.Select(c => (JsonNode?)c).ToArray()),
            ["env"] = new JsonArray(env.Select(e => (JsonNode?)e).ToArray()),
            ["user"] = user,
            ["workingDir"] = workingDir,
        };
        var request = new HttpRequestMessage(HttpMethod.Post, $"{Prefix}isles/{Uri.EscapeDataString(name)}/exec")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        using var response = await SendAsync(request, ct, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode) throw Failure(response, await response.Content.ReadAsStringAsync(ct));
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct), Encoding.UTF8);
        while (await ReadLineAsync(reader, ct) is { } line) // a daemon gone mid-stream ends it: reported below
        {
            if (line.Length == 0) continue;
            var frame = JsonSerializer.Deserialize(line, ApiJson.Context.ExecFrameView)!;
            if (frame.Stream is { } stream)
                await output(stream == "stderr" ? 2 : 1, Convert.FromBase64String(frame.Data ?? ""));
            else if (frame.Message is { } message)
                throw new ClientException(message, frame.Reason ?? "Error", frame.ExitCode ?? 125);
            else
                return new ExecResult(frame.ExitCode ?? 0, frame.Signal ?? 0);
        }
        throw new ClientException($"islanderd ended the exec of {name} without its exit status", "Unavailable", 125);
    }
}
