using Islander.Drivers.Runtime;
using Islander.Drivers.Storage;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// An isle's environment holds secrets (DB_PASSWORD=...): a local user of the host reads none of it from the daemon's
/// files, and the daemon's log and events hold the names only.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonSecretsTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonSecretsTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    const UnixFileMode Open = (UnixFileMode)0b111_101_101;

    [Fact]
    public async Task IsleWithASecretInItsEnv_HostUserReadsItNowhere_LogAndEventsDoNotHoldIt_EvenFromAnOlderIslandersFiles()
    {
        // What an older islander left: 0755 directories and a 0644 database.
        foreach (var dir in new[] { _h.StateDir, _h.RunDir, Path.Combine(_h.StateDir, "isles"), Path.Combine(_h.RunDir, "isles") })
        {
            Directory.CreateDirectory(dir);
            File.SetUnixFileMode(dir, Open);
        }
        string db = Path.Combine(_h.StateDir, "islander.db");
        File.WriteAllBytes(db, []);
        File.SetUnixFileMode(db, (UnixFileMode)0b110_100_100);
        string secret = "s3cret-" + Guid.NewGuid().ToString("N");
        await _h.StartDaemonAsync();
        var name = _h.NewName();
        var broken = _h.NewName();
        string env = $"  env: [{{name: DB_PASSWORD, value: \"{secret}\"}}]\n";
        _h.WriteManifest("app.yaml", _h.IsleYaml(name, "exec sleep 1000", extraSpec: env));
        _h.WriteManifest("broken.yaml", _h.IsleYaml(broken, "exec sleep 1000", restartPolicy: "Never", extraSpec: env).Replace("[\"sh\", \"-c\"", "[\"/no/such/command\""));

        // A manifest error in an entry that holds the secret: the error is reported, the value is not.
        var invalid = _h.NewName();
        _h.WriteManifest("invalid.yaml", _h.IsleYaml(invalid, "exec sleep 1000",
            extraSpec: $"  env: [{{name: DB_PASSWORD, value: \"{secret}\", valu: \"{secret}\"}}, {{name: \"DB_PASSWORD={secret}\"}}]\n"));

        await _h.WaitRunningAsync(name, seconds: 10);
        await _h.WaitIsleAsync(broken, i => DaemonHarness.Phase(i) is "Failed" or "Error" or "Exited", TimeSpan.FromSeconds(10), "failed start");

        // As root sees them: the files that hold the environment.
        string execProfile = Path.Combine(_h.StateDir, "isles", name, "exec.json");
        Assert.Contains(secret, File.ReadAllText(execProfile)); // the test looks where the secret is
        foreach (var file in Directory.GetFiles(_h.StateDir, "islander*").Append(execProfile))
            Assert.True(File.GetUnixFileMode(file) == SecretFile.Mode, $"{file} is {File.GetUnixFileMode(file)}");
        Assert.Equal(HostDirectory.Traverse, File.GetUnixFileMode(_h.StateDir));
        Assert.Equal(HostDirectory.Traverse, File.GetUnixFileMode(_h.RunDir));
        Assert.Equal(HostDirectory.Private, File.GetUnixFileMode(Path.Combine(_h.StateDir, "isles")));

        // As a local user: nothing it can read under the state and run directories holds the secret.
        var grep = HostUser.Run("grep", "-rl", secret, _h.StateDir, _h.RunDir, Path.Combine(_h.StateDir, "islander.db"), execProfile);
        Assert.True(grep.Stdout.Length == 0 && grep.ExitCode != 0, grep.ToString());

        // The daemon's log and its events: names, not values.
        var events = await _h.EventsAsync();
        Assert.DoesNotContain(secret, string.Join('\n', events.Select(e => e.ToJsonString())));
        for (int i = 0; !_h.DaemonOutput.Contains("valu"); i++)
        {
            Assert.True(i < 250, $"the manifest error was not logged:\n{_h.DaemonOutput}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        Assert.DoesNotContain(secret, _h.DaemonOutput);
    }
}
