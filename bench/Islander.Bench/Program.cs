// No-op reconcile pass over N isles on the fake runtime: every isle already runs as desired, so a pass is
// "probe, compare, do nothing" per key — the steady-state cost islanderd pays at every resync.
//   dotnet run -c Release --project bench/Islander.Bench -- [N] [ROUNDS]
using System.Diagnostics;
using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.Hosting;
using Islander.Controller.Reconcile;
using Islander.Controller.State;
using Islander.Model;
using Islander.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

int n = args.Length > 0 ? int.Parse(args[0]) : 1000;
int rounds = args.Length > 1 ? int.Parse(args[1]) : 20;
var dir = Directory.CreateTempSubdirectory("islander-bench-").FullName;
try
{
    var time = TimeProvider.System;
    var options = Options.Create(new DaemonOptions { Manifests = Path.Combine(dir, "m"), State = dir, Run = dir });
    var runtime = new FakeIsleRuntime(time);
    using var store = new StateStore(Path.Combine(dir, "islander.db"));
    var events = new EventRecorder(store, time);
    var desired = new DesiredStore(store, time);
    var queue = new ReconcileQueue(time);
    desired.Changed += queue.Add;
    using var exits = new ExitWatcher(runtime, queue);
    var isles = new IsleReconciler(desired, store, runtime, events, queue, time, options, NullLogger<IsleReconciler>.Instance);
    var loop = new ReconcileLoop(queue, desired, store, isles, exits, events, time, options, NullLogger<ReconcileLoop>.Instance);

    var setup = Stopwatch.StartNew();
    for (int i = 0; i < n; i++)
        desired.Apply(DesiredObject.ForIsle($"isle-{i:D4}", new IsleSpec { Rootfs = "/srv/rootfs/busybox", Command = ["/bin/sleep", "infinity"], RestartPolicy = RestartPolicy.Always }, "bench"));
    var applied = setup.Elapsed;
    await loop.ProcessReadyAsync();
    setup.Stop();
    Console.WriteLine($"apply {n} isles through the desired store: {applied.TotalMilliseconds:F0} ms");
    if (runtime.RunningNames.Count != n) throw new InvalidOperationException($"{runtime.RunningNames.Count} of {n} running");
    Console.WriteLine($"create {n} isles (apply + first pass, LiteDB on disk): {setup.Elapsed.TotalMilliseconds:F0} ms");

    var samples = new List<double>();
    for (int r = 0; r < rounds; r++)
    {
        var sw = Stopwatch.StartNew();
        loop.EnqueueAll();
        int passes = await loop.ProcessReadyAsync();
        sw.Stop();
        if (passes != n) throw new InvalidOperationException($"expected {n} passes, ran {passes}");
        samples.Add(sw.Elapsed.TotalMilliseconds);
    }
    samples.Sort();
    if (runtime.Incarnations("isle-0000") != 1) throw new InvalidOperationException("a no-op pass restarted an isle");
    Console.WriteLine($"no-op reconcile of {n} isles: median {samples[samples.Count / 2]:F1} ms, min {samples[0]:F1} ms, max {samples[^1]:F1} ms ({rounds} rounds, 1 worker)");
    GC.Collect();
    Console.WriteLine($"process RSS with {n} fake isles: {Environment.WorkingSet / 1048576.0:F0} MiB");
}
finally
{
    Directory.Delete(dir, true);
}
