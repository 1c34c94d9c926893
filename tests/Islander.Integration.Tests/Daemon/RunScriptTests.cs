using System.Diagnostics;
using System.Text;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>scripts/run.sh, the README's main job, on a harness directory: what a user sees on the first run.</summary>
[Collection(DaemonCollection.Name)]
public sealed class RunScriptTests : IAsyncDisposable
{
    readonly DaemonHarness _h = new();
    readonly StringBuilder _output = new();
    Process? _script;

    [Fact]
    public async Task RunSh_FirstRun_IsleFromTheImportedImageStartsWithoutAPull()
    {
        var name = _h.NewName("from-image");
        // examples/image.yaml's isle, on this harness's manifests directory.
        _h.WriteManifest($"{name}.yaml", $$"""
            apiVersion: islander.io/v1
            kind: Isle
            metadata: {name: {{name}}}
            spec:
              image: busybox:latest
              command: ["sleep", "1000"]
              stopTimeout: 1s
            """);

        _script = StartScript();
        // run.sh may start islanderd twice (the first one imports): poll through the gap between them.
        var deadline = Stopwatch.StartNew();
        System.Text.Json.Nodes.JsonObject? running;
        while ((running = await IsleAsync(name)) is null || DaemonHarness.Phase(running) != "Running")
        {
            Assert.False(_script.HasExited, $"run.sh ended: {Output}");
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(40), $"isle {name} not Running; last: {running?.ToJsonString()}\n{Output}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        var events = (await _h.EventsAsync()).Where(e => (string?)e["name"] == name).Select(e => $"{e["reason"]}: {e["message"]}").ToList();
        Assert.DoesNotContain(events, e => e.StartsWith("ImagePullFailed", StringComparison.Ordinal) || e.StartsWith("BackOff", StringComparison.Ordinal));
        Assert.Equal(0, DaemonHarness.RestartCount(running));
        Assert.DoesNotContain("Pulling image busybox:latest", Output, StringComparison.Ordinal);
    }

    string Output { get { lock (_output) return _output.ToString(); } }

    Process StartScript()
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[Path.Combine(TestRootfs.RepoRoot, "scripts", "run.sh"), "--manifests", _h.ManifestsDir, "--state", _h.StateDir, "--run", _h.RunDir])
            info.ArgumentList.Add(a);
        info.Environment["ISLANDER_SOCKET"] = _h.Socket;
        info.Environment["ISLANDER_BUSYBOX_ROOTFS"] = TestRootfs.Busybox;
        info.Environment["PATH"] = $"{Path.GetDirectoryName(DaemonHarness.Islanderd)}:{Path.GetDirectoryName(DaemonHarness.Islanderctl)}:{Environment.GetEnvironmentVariable("PATH")}";
        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    async Task<System.Text.Json.Nodes.JsonObject?> IsleAsync(string name)
    {
        try
        {
            return await _h.GetIsleAsync(name);
        }
        catch (HttpRequestException)
        {
            return null; // no islanderd answering right now
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_script is { } p)
        {
            // run.sh's trap stops its islanderd (isles keep running, as the README says); the harness's own islanderd on
            // the same directories then deletes them through the API.
            if (!p.HasExited) Tmds.Linux.LibC.kill(p.Id, Tmds.Linux.LibC.SIGTERM);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try { await p.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { p.Kill(entireProcessTree: true); await p.WaitForExitAsync(); }
            p.Dispose();
            await _h.StartDaemonAsync();
        }
        await _h.DisposeAsync();
    }
}
