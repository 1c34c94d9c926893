using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// Inputs that once ended islanderd (a stack overflow on a 30 000-deep manifest or body; a 50 MB manifest the state
/// database refused, which stopped the host), against the real daemon: it keeps answering, the bad files' isles keep
/// their last good version (same pid), <c>get</c> shows each file's error with its line, and memory comes back.
/// </summary>
[Collection(DaemonAloneCollection.Name)]
public sealed class DaemonInputLimitsTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonInputLimitsTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    long DaemonRssKiB() =>
        long.Parse(File.ReadLines($"/proc/{_h.Daemon!.Id}/status").First(l => l.StartsWith("VmRSS:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

    async Task<(HttpStatusCode Code, string Body)> PostAsync(string path, byte[] body)
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                await s.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(_h.Socket), ct);
                return new System.Net.Sockets.NetworkStream(s, ownsSocket: true);
            },
        }) { BaseAddress = new Uri("http://islanderd"), Timeout = TimeSpan.FromSeconds(60) };
        using var response = await http.PostAsync(DaemonHarness.Api + path, new ByteArrayContent(body), TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task DeepAndHugeManifestsAndBodies_DaemonKeepsAnsweringAndIslesKeepRunning()
    {
        await _h.StartDaemonAsync();
        var (deep, big, good) = (_h.NewName("deep"), _h.NewName("big"), _h.NewName("good"));
        var deepFile = _h.WriteManifest("deep.yaml", _h.IsleYaml(deep, "exec sleep 1000"));
        var bigFile = _h.WriteManifest("big.yaml", _h.IsleYaml(big, "exec sleep 1000"));
        _h.WriteManifest("good.yaml", _h.IsleYaml(good, "exec sleep 1000"));
        var pids = new Dictionary<string, int>();
        foreach (var name in (string[])[deep, big, good]) pids[name] = DaemonHarness.Pid(await _h.WaitRunningAsync(name))!.Value;
        long rssBefore = DaemonRssKiB();

        // labels nested 30 000 deep (60 KB) on line 5, and a 50 MB env value.
        _h.WriteManifest("deep.yaml", _h.IsleYaml(deep, "exec sleep 1000").Replace("  labels: {test: e2e}", "  labels: " + new string('[', 30_000) + new string(']', 30_000)));
        _h.WriteManifest("big.yaml", _h.IsleYaml(big, "exec sleep 1000", extraSpec: "  env: [{name: BLOB, value: \"" + new string('b', 50 << 20) + "\"}]\n"));
        var brackets = Encoding.ASCII.GetBytes(new string('[', 100_000));
        var (isles, islesBody) = await PostAsync("/isles", brackets);
        var (apply, applyBody) = await PostAsync("/apply", brackets);
        var (huge, hugeBody) = await PostAsync("/apply", Encoding.ASCII.GetBytes(_h.IsleYaml("x", "true", extraSpec: "  env: [{name: BLOB, value: \"" + new string('b', 50 << 20) + "\"}]\n")));

        Assert.Equal((HttpStatusCode.UnprocessableEntity, HttpStatusCode.UnprocessableEntity, HttpStatusCode.RequestEntityTooLarge), (isles, apply, huge));
        Assert.Contains("nested more than 64 levels", islesBody);
        Assert.Contains("nested more than 64 levels", applyBody);
        Assert.Contains("at most 8MiB", hugeBody);

        var deepIsle = await _h.WaitIsleAsync(deep, i => (string?)i["status"]?["reason"] == "InvalidManifest", TimeSpan.FromSeconds(10), "InvalidManifest");
        var bigIsle = await _h.WaitIsleAsync(big, i => (string?)i["status"]?["reason"] == "InvalidManifest", TimeSpan.FromSeconds(10), "InvalidManifest");
        Assert.Contains($"{deepFile}:5:", (string?)deepIsle["status"]?["message"]);
        Assert.Contains("metadata.labels[0][0]", (string?)deepIsle["status"]?["message"]);
        Assert.Contains($"{bigFile}:1:1: the file is 50MiB; a manifest file may be at most 8MiB", (string?)bigIsle["status"]?["message"]);
        var get = await _h.CtlAsync("get", "isles", deep, "-o", "json");
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Contains($"{deepFile}:5:", (string?)JsonNode.Parse(get.Stdout)!["status"]?["message"]);

        // The daemon still answers; every isle runs with the pid it had.
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        Assert.False(_h.Daemon!.HasExited, _h.DaemonOutput);
        foreach (var (name, pid) in pids)
        {
            var isle = (await _h.GetIsleAsync(name))!;
            Assert.Equal(("Running", pid), (DaemonHarness.Phase(isle), DaemonHarness.Pid(isle)));
            Assert.True(DaemonHarness.ProcessExists(pid));
        }
        long rssAfter = DaemonRssKiB();
        TestContext.Current.SendDiagnosticMessage($"islanderd RSS: {rssBefore} KiB before, {rssAfter} KiB after a rejected 30 000-deep and 50 MB manifest and 100 000-'[' and 50 MB bodies");
        Assert.True(rssAfter - rssBefore < 50 << 10, $"islanderd RSS grew from {rssBefore} KiB to {rssAfter} KiB");

        // A restart reads the same bad files again, and stays up.
        await _h.StopDaemonAsync();
        await _h.StartDaemonAsync();
        var again = await _h.WaitIsleAsync(deep, i => (string?)i["status"]?["reason"] == "InvalidManifest", TimeSpan.FromSeconds(10), "InvalidManifest after a restart");
        Assert.Equal(pids[deep], DaemonHarness.Pid(again));
        Assert.Equal(pids[good], DaemonHarness.Pid((await _h.WaitRunningAsync(good))));
        Assert.False(_h.Daemon!.HasExited, _h.DaemonOutput);
    }
}
