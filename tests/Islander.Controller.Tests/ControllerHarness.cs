using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.Hosting;
using Islander.Controller.Images;
using Islander.Controller.Networks;
using Islander.Controller.Ports;
using Islander.Testing;
using Islander.Controller.Reconcile;
using Islander.Controller.State;
using Islander.Controller.Volumes;
using Islander.Drivers;
using Islander.Drivers.Network;
using Islander.Drivers.Volumes;
using Islander.Model;
using Islander.Testing.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Islander.Controller.Tests;

/// <summary>
/// The controller composed as islanderd composes it (<see cref="ControllerServices.AddIslanderController"/>), over a
/// fake runtime, fake network and volume drivers, fake time and a temp manifests directory; the test drives the loop.
/// <see cref="Restart"/> builds a new daemon over the same state file and the same fake "kernel".
/// </summary>
sealed class ControllerHarness : IDisposable
{
    public FakeTimeProvider Time { get; }
    public FakeIsleRuntime Runtime { get; }
    public FakeImageStore Images { get; } = new();
    public IsleImages IsleImages { get; private set; } = null!;
    public string Dir { get; }
    public string Manifests => Path.Combine(Dir, "manifests");
    public DaemonOptions Options { get; }
    public StateStore Store { get; private set; } = null!;
    public DesiredStore Desired { get; private set; } = null!;
    public EventRecorder Events { get; private set; } = null!;
    public ReconcileQueue Queue { get; private set; } = null!;
    public ReconcileLoop Loop { get; private set; } = null!;
    public ManifestDirectorySource Source { get; private set; } = null!;
    ServiceProvider _services = null!;
    ExitWatcher _exits = null!;

    /// <summary>The network driver (a fake: bridges, attachments and the firewall in memory).</summary>
    public FakeNetworkDriver NetworkDriver { get; }

    /// <summary>The bridge fake, and the second network driver when the test gives one (the parser then knows its name too).</summary>
    public NetworkDriverSet NetworkDrivers { get; }

    readonly IManifestParser? _parser;
    public IsleNetworking Networking { get; private set; } = null!;
    public NetworkFirewall Firewall { get; private set; } = null!;

    /// <summary>The volume drivers (fakes unless a test passes its own).</summary>
    public VolumeDriverSet VolumeDrivers { get; private set; }
    public IsleVolumes Volumes { get; private set; } = null!;
    public VolumeSnapshots Snapshots { get; private set; } = null!;

    /// <summary>What the isles' passes drive (lifecycles over the runtime and the start planner).</summary>
    public IsleLifecycles Lifecycles { get; private set; } = null!;
    public StartPlanner Planner { get; private set; } = null!;

    public ControllerHarness(FakeTimeProvider? time = null, FakeIsleRuntime? runtime = null, FakeNetworkDriver? network = null, VolumeDriverSet? volumes = null,
        FakeNetworkDriver? secondNetwork = null)
    {
        NetworkDriver = network ?? new FakeNetworkDriver();
        NetworkDrivers = new NetworkDriverSet(secondNetwork is null ? [NetworkDriver] : [NetworkDriver, secondNetwork]);
        if (secondNetwork is not null)
            _parser = new ModelManifestParser(DriverCatalogs.Known with { Networks = [.. DriverCatalogs.Known.Networks, secondNetwork.Kind] });
        VolumeDrivers = volumes ?? new VolumeDriverSet([new FakeVolumeDriver(VolumeDriverKind.Dir), new FakeVolumeDriver(new VolumeDriverKind("tmpfs"))]);
        Time = time ?? new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        Runtime = runtime ?? new FakeIsleRuntime(Time);
        Dir = Directory.CreateTempSubdirectory("islander-test-").FullName;
        Directory.CreateDirectory(Manifests);
        Options = new DaemonOptions { Manifests = Manifests, State = Dir, Run = Dir, Socket = Path.Combine(Dir, "s.sock") };
        Build();
    }

    /// <summary>Any part of the composed controller (a reconciler, the start planner, ...).</summary>
    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    void Build()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddIslanderController(Options, DaemonParts.Of(Runtime, NetworkDrivers, VolumeDrivers, Images, Time, _parser));
        _services = services.BuildServiceProvider();
        T Get<T>() where T : notnull => _services.GetRequiredService<T>();
        Store = Get<StateStore>();
        Events = Get<EventRecorder>();
        Desired = Get<DesiredStore>();
        Queue = Get<ReconcileQueue>();
        _exits = Get<ExitWatcher>();
        Networking = Get<IsleNetworking>();
        Firewall = Get<NetworkFirewall>();
        Volumes = Get<IsleVolumes>();
        Snapshots = Get<VolumeSnapshots>();
        IsleImages = Get<IsleImages>();
        Lifecycles = Get<IsleLifecycles>();
        Planner = Get<StartPlanner>();
        Loop = Get<ReconcileLoop>();
        Source = Get<ManifestDirectorySource>();
    }

    /// <summary>The daemon dies (SIGKILL: nothing is flushed or stopped) and a new one starts on the same state.</summary>
    /// <param name="volumes">The volume drivers of the new daemon (default: the same ones).</param>
    /// <param name="loseState">The state database is gone too (deleted, a disk lost): the new daemon starts without records.</param>
    public void Restart(VolumeDriverSet? volumes = null, bool loseState = false)
    {
        VolumeDrivers = volumes ?? VolumeDrivers;
        _services.Dispose();
        if (loseState) File.Delete(Path.Combine(Dir, "islander.db"));
        Build();
        Loop.EnqueueAll();
    }

    public void Write(string file, string yaml) => File.WriteAllText(Path.Combine(Manifests, file), yaml);

    public void Remove(string file) => File.Delete(Path.Combine(Manifests, file));

    /// <summary>Rescans the manifests directory and runs passes until nothing is ready (exit watchers included).</summary>
    public async Task SyncAsync(bool networking = true)
    {
        Source.Scan();
        await SettleAsync(networking);
    }

    /// <summary>
    /// Runs passes until every exit the fake runtime has seen is queued by the exit watcher (its continuations run on
    /// the thread pool, late on a loaded machine), the ended and deleted isles' veths and addresses are done with
    /// (<see cref="IsleNetworking.Ended"/>, in the background; unless <paramref name="networking"/> is false, for a test
    /// that holds one), and the queue then stays empty for a few passes.
    /// </summary>
    public async Task SettleAsync(bool networking = true)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        for (int quiet = 0; quiet < 3;)
        {
            bool undelivered = _exits.HasUndelivered(name => Runtime.Probe(name).State != IsleProcessState.Running);
            if (undelivered || (networking && Networking.Busy))
            {
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException(undelivered ? "an isle's exit was not delivered by the exit watcher in 30 s" : "an isle's veths or addresses were not done with in 30 s");
                quiet = 0;
                await Task.Delay(1);
                continue;
            }
            quiet = await Loop.ProcessReadyAsync() > 0 ? 0 : quiet + 1;
            await Task.Delay(5);
        }
    }

    /// <summary>Moves fake time on and runs whatever became due.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Time.Advance(by);
        await SettleAsync();
    }

    /// <summary>Polls (real time) until <paramref name="condition"/> holds, for a pass running in the background.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"timed out after 10 s waiting for {what}");
            await Task.Delay(5);
        }
    }

    public IsleRecord Isle(string name) => Store.GetIsle(name) ?? throw new Xunit.Sdk.XunitException($"no record for isle {name}");

    public IslePhase? StateOf(string name) => Store.GetIsle(name)?.State;

    public static string IsleYaml(string name, string command = "sleep", string restart = "Always", string? dependsOn = null, string? extra = null) => $"""
        apiVersion: islander.io/v1
        kind: Isle
        metadata:
          name: {name}
        spec:
          rootfs: /srv/rootfs/busybox
          command: ["/bin/{command}"]
          restartPolicy: {restart}
        {(dependsOn is null ? "" : $"  dependsOn: [{dependsOn}]")}
        {extra ?? ""}
        """;

    public void Dispose()
    {
        _services.Dispose();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
