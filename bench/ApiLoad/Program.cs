using System.Globalization;
using Islander.Bench.ApiLoad;

// ApiLoad: N clients of each kind against islanderd's API socket for T seconds; prints requests, errors and latency
// per kind (text, or JSON with --json). Exit code 1 when any request failed or any stream broke or stalled.
const string Usage = """
    usage: ApiLoad --socket PATH [--seconds 60] [--get N] [--logs N] [--events N] [--apply N] [--rootfs DIR]
                   [--get-pause-ms 0] [--apply-pause-ms 250] [--isles a,b,...] [--log-tail N|all] [--keep] [--json]
           ApiLoad --socket PATH --probe [--seconds 60] [--get-pause-ms 100] [--json]
      --get N       clients looping GET isles (each its own connection; --get-pause-ms between requests)
      --logs N      clients each following one isle's log (GET isles/NAME/log?follow=true) for the whole run,
                    the isles of --isles or every running isle, round robin; from the log's start (as islanderctl
                    logs -f) or its last --log-tail N entries
      --events N    clients each watching the events (GET events?watch=true) for the whole run
      --apply N     clients looping POST apply of an isle of their own (apiload-K, on --rootfs): a new label and
                    the other memory limit (32Mi/48Mi) each time; deleted at the end unless --keep
      --probe       one GET isles client (--get 1, nothing else), every 100 ms unless --get-pause-ms says otherwise:
                    the latency probe for other benchmarks
    """;

string? socket = null, rootfs = null;
int seconds = 60, get = 0, logs = 0, events = 0, apply = 0;
int? getPause = null, logTail = null;
int applyPause = 250;
bool json = false, probe = false, keep = false;
var isles = new List<string>();
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        int Number() => int.Parse(Value(), CultureInfo.InvariantCulture);
        switch (args[i])
        {
            case "--socket": socket = Value(); break;
            case "--seconds": seconds = Number(); break;
            case "--get": get = Number(); break;
            case "--logs": logs = Number(); break;
            case "--events": events = Number(); break;
            case "--apply": apply = Number(); break;
            case "--rootfs": rootfs = Value(); break;
            case "--get-pause-ms": getPause = Number(); break;
            case "--apply-pause-ms": applyPause = Number(); break;
            case "--isles": isles.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
            case "--log-tail": logTail = Value() is var t && t == "all" ? null : int.Parse(t, CultureInfo.InvariantCulture); break;
            case "--keep": keep = true; break;
            case "--json": json = true; break;
            case "--probe": probe = true; break;
            case "--help" or "-h": Console.WriteLine(Usage); return 0;
            default: throw new ArgumentException($"unknown argument {args[i]}");
        }
    }
    if (socket is null) throw new ArgumentException("--socket is required");
    if (apply > 0 && rootfs is null) throw new ArgumentException("--apply needs --rootfs (the apply clients' isles run on it)");
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine($"ApiLoad: {e.Message}\n{Usage}");
    return 2;
}
if (probe) (get, logs, events, apply, getPause) = (1, 0, 0, 0, getPause ?? 100);

var options = new ApiLoadOptions
{
    Socket = socket, Duration = TimeSpan.FromSeconds(seconds), Get = get, Logs = logs, Events = events, Apply = apply,
    GetPause = TimeSpan.FromMilliseconds(getPause ?? 0), ApplyPause = TimeSpan.FromMilliseconds(applyPause),
    LogIsles = isles, LogTail = logTail, Rootfs = rootfs, DeleteAppliedIsles = !keep,
};
using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; interrupt.Cancel(); };
var report = await ApiLoadRun.RunAsync(options, interrupt.Token);
Console.Write(json ? report.ToJson() + "\n" : report.ToText());
return report.Errors + report.Stalled > 0 ? 1 : 0;
