using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// The state database damaged while islanderd was down (cut short, a header that is not LiteDB's, zero bytes):
/// islanderd starts, says in its log and an event which file it moved aside and what it lost, and adopts the isles the
/// kernel runs (same pid). Before, islanderd aborted at start on each of these, and systemd restarted it into the same
/// file. Builds on <see cref="DaemonStateLossTests"/>' deleted database (addresses rebuilt from namespaces).
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonStateCorruptionTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonStateCorruptionTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    string Db => Path.Combine(_h.StateDir, "islander.db");

    [Fact]
    public async Task DatabaseCutShortOrOverwritten_DaemonStarts_SaysWhatItMovedAside_IsleKeepsItsPid_NewWorkIsRecorded()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("corrupt");
        _h.WriteManifest("a.yaml", _h.IsleYaml(name, "exec sleep 1000"));
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name, 15))!.Value;

        var damages = new (string What, Action<string> Do)[]
        {
            ("cut in half", f => { using var s = File.OpenWrite(f); s.SetLength(s.Length / 2); }),
            ("a header that is not LiteDB's", f => { using var s = File.OpenWrite(f); s.Write(new byte[64]); }),
            ("cut to 100 bytes", f => { using var s = File.OpenWrite(f); s.SetLength(100); }),
        };
        foreach (var (what, damage) in damages)
        {
            var later = _h.NewName("after");
            await _h.StopDaemonAsync();
            damage(Db);
            var asideBefore = Directory.GetFiles(_h.StateDir, "islander.db.corrupt-*").Length;
            await _h.StartDaemonAsync(); // fails the test if islanderd exits

            var isle = await _h.WaitRunningAsync(name, 15);
            Assert.Equal(pid, DaemonHarness.Pid(isle));
            Assert.Equal(asideBefore + 1, Directory.GetFiles(_h.StateDir, "islander.db.corrupt-*").Length);
            Assert.Contains($"state database {Db} is damaged", _h.DaemonOutput);
            Assert.Contains($"moved aside to {Db}.corrupt-", _h.DaemonOutput);
            var events = await _h.CtlAsync("events");
            Assert.True(events.ExitCode == 0 && events.Stdout.Contains("StateDatabaseDamaged"), $"{what}: {events}");

            // The new file takes new work: an isle applied now is there after a restart.
            _h.WriteManifest($"{later}.yaml", _h.IsleYaml(later, "exec sleep 1000"));
            await _h.WaitRunningAsync(later, 15);
            var get = await _h.CtlAsync("get", "isles");
            Assert.True(get.ExitCode == 0 && get.Stdout.Contains(name) && get.Stdout.Contains(later), $"{what}: {get}");
            Assert.Single(get.Stdout.Split('\n'), l => l.StartsWith(name + " ", StringComparison.Ordinal) && l.Contains("Running") && l.Contains(pid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            _h.RemoveManifest($"{later}.yaml");
        }
    }

    [Fact]
    public async Task DatabaseEmptied_DaemonStarts_SaysItWasEmpty_IsleKeepsItsPid()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("empty");
        _h.WriteManifest("a.yaml", _h.IsleYaml(name, "exec sleep 1000"));
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name, 15))!.Value;
        await _h.StopDaemonAsync();
        File.WriteAllBytes(Db, []);
        await _h.StartDaemonAsync();
        Assert.Equal(pid, DaemonHarness.Pid(await _h.WaitRunningAsync(name, 15)));
        Assert.Contains($"State database {Db} was empty (0 bytes)", _h.DaemonOutput);
    }
}
