using System.Diagnostics;
using System.Net;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// <c>/readyz</c> of a real islanderd whose state directory is a small tmpfs that the test fills: the state database
/// cannot be written (ENOSPC), so the daemon is not ready and says why.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonReadyTests : IAsyncDisposable
{
    readonly DaemonHarness _h;
    bool _mounted;

    public DaemonReadyTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public async ValueTask DisposeAsync()
    {
        await _h.StopDaemonAsync();
        if (_mounted) Run("umount", _h.StateDir);
        await _h.DisposeAsync();
    }

    static void Run(string tool, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(tool, args) { RedirectStandardError = true })!;
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{tool} {string.Join(' ', args)}: {error}");
    }

    async Task<(HttpStatusCode Code, string Body)> ReadyAsync()
    {
        using var r = await _h.Http.GetAsync("/readyz", TestContext.Current.CancellationToken);
        return (r.StatusCode, await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Readyz_StateFilesystemFull_503WithReason()
    {
        Directory.CreateDirectory(_h.StateDir);
        Run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", _h.StateDir);
        _mounted = true;
        await _h.StartDaemonAsync();
        var sw = Stopwatch.StartNew();
        while ((await ReadyAsync()).Code != HttpStatusCode.OK && sw.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50, TestContext.Current.CancellationToken);
        var before = await ReadyAsync();

        var filler = Path.Combine(_h.StateDir, "filler");
        using (var f = File.OpenWrite(filler))
        {
            var block = new byte[64 << 10];
            try { while (true) f.Write(block); }
            catch (IOException) { } // ENOSPC: the file system is full, which is what the test wants
        }
        var full = await ReadyAsync();
        File.Delete(filler);

        Assert.Equal((HttpStatusCode.OK, "ok\n"), before);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, full.Code);
        Assert.StartsWith("not ready: the state store cannot be written: ", full.Body, StringComparison.Ordinal);
    }
}
