using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// sd_notify(3) from a real islanderd through Microsoft.Extensions.Hosting.Systemd. Its <c>SystemdLifetime</c> runs
/// only when systemd runs the process: as systemd's child, or as PID 1 of a container with <c>$NOTIFY_SOCKET</c> set
/// (how systemd-nspawn and Podman run a service). This host has no systemd as PID 1, so the test runs islanderd as
/// PID 1 of a new pid namespace with <c>$NOTIFY_SOCKET</c> naming a datagram socket of its own, as a container manager
/// does: <c>READY=1</c> arrives once the API answers, <c>STOPPING=1</c> on SIGTERM.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonNotifyTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonNotifyTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task UnderAServiceManager_ReadyOnceTheApiAnswers_StoppingOnSigterm()
    {
        var notify = Path.Combine(_h.Dir, "notify.sock");
        var output = Path.Combine(_h.Dir, "islanderd.out");
        File.WriteAllText(output, "");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(notify));

        var info = new ProcessStartInfo("unshare") { UseShellExecute = false };
        foreach (var a in (string[])["--pid", "--fork", "--kill-child=SIGKILL", "/bin/sh", "-c", "exec \"$0\" \"$@\" >>\"$OUT\" 2>&1", DaemonHarness.Islanderd,
                     "--config", "/dev/null", "--manifests", _h.ManifestsDir, "--state", _h.StateDir, "--run", _h.RunDir, "--socket", _h.Socket])
            info.ArgumentList.Add(a);
        info.Environment["OUT"] = output;
        info.Environment["NOTIFY_SOCKET"] = notify;
        info.Environment.Remove("JOURNAL_STREAM");
        using var unshare = Process.Start(info)!;
        try
        {
            var messages = new List<string>();
            string Next()
            {
                var buffer = new byte[4096];
                listener.ReceiveTimeout = 20_000;
                try
                {
                    var m = Encoding.UTF8.GetString(buffer, 0, listener.Receive(buffer));
                    messages.Add(m);
                    return m;
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
                {
                    Assert.Fail($"no notification within 20 s; had: {string.Join(" | ", messages)}\n--- islanderd:\n{File.ReadAllText(output)}");
                    throw;
                }
            }

            while (Next() != "READY=1") { }
            // READY=1 comes after Kestrel listens: systemctl start returns when islanderctl can connect.
            using (var r = await _h.Http.GetAsync("/healthz", TestContext.Current.CancellationToken))
                Assert.True(r.IsSuccessStatusCode, $"READY=1 before the API answered: {(int)r.StatusCode}");

            var islanderd = int.Parse(File.ReadAllText($"/proc/{unshare.Id}/task/{unshare.Id}/children").Trim(), CultureInfo.InvariantCulture);
            Assert.Equal("islanderd", File.ReadAllText($"/proc/{islanderd}/comm").Trim());
            Assert.Equal(0, Tmds.Linux.LibC.kill(islanderd, Tmds.Linux.LibC.SIGTERM));
            while (Next() != "STOPPING=1") { }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await unshare.WaitForExitAsync(timeout.Token);
            Assert.True(unshare.ExitCode == 0, $"exit {unshare.ExitCode}\n--- islanderd:\n{File.ReadAllText(output)}");
            Assert.Contains("STATUS=reconciling", messages);
        }
        finally
        {
            if (!unshare.HasExited)
            {
                unshare.Kill(); // --kill-child: its islanderd goes with it
                await unshare.WaitForExitAsync(TestContext.Current.CancellationToken);
            }
        }
    }
}
