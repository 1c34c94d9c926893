using Islander.Model;
using Islander.Controller.Events;
using Islander.Controller.Hosting;
using Islander.Controller.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Islander.Controller.Desired;

/// <summary>
/// Keeps the file part of <see cref="DesiredStore"/> equal to the manifests directory: a full rescan after every
/// inotify event (debounced) and every <see cref="DaemonOptions.Resync"/>, in case inotify missed something
/// (overflow, network filesystems). A rescan is level-triggered too: it never applies "what changed", only "what is".
/// </summary>
public sealed class ManifestDirectorySource(
    IOptions<DaemonOptions> options, IManifestParser parser, DesiredStore desired, StateStore store, EventRecorder events, TimeProvider time,
    ILogger<ManifestDirectorySource> log) : BackgroundService
{
    readonly SemaphoreSlim _signal = new(0);
    readonly ManifestTree _tree = new(parser);
    HashSet<string> _reported = new();
    string? _unavailable;

    /// <summary>
    /// How long to wait after a file event for the burst to end (editors write, rename, chmod within a
    /// few milliseconds); a half-written file that slips through is only a transient parse error, healed
    /// by the next event. Short, because it adds to every manifest edit's latency.
    /// </summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(25);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // scan off the host's start path, so the API listens at once
        var root = options.Value.Manifests;
        FileSystemWatcher? watcher = null;
        bool warned = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Watch as soon as the directory exists (it may be created after the daemon starts).
                if (watcher is null && Directory.Exists(root)) watcher = Watch(root);
                else if (watcher is null && !warned)
                {
                    log.LogWarning("Manifests directory {Directory} does not exist; watching nothing until it does (resync every {Resync})", root, options.Value.Resync);
                    warned = true;
                }
                if (!Scan() && watcher is not null)
                {
                    // inotify follows the inode: a directory renamed away is still watched under its new name. Watch
                    // the path again once something is there.
                    watcher.Dispose();
                    watcher = null;
                }
                using var resync = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var timer = Task.Delay(options.Value.Resync, time, resync.Token);
                // Both waits end with the resync token: a WaitAsync left pending would swallow the next event.
                await Task.WhenAny(_signal.WaitAsync(resync.Token), timer).ConfigureAwait(false);
                resync.Cancel();
                if (stoppingToken.IsCancellationRequested) return;
                await Task.Delay(Debounce, time, stoppingToken).ConfigureAwait(false);
                while (_signal.CurrentCount > 0) _signal.Wait(0, stoppingToken);
            }
        }
        finally
        {
            watcher?.Dispose();
        }
    }

    /// <summary>
    /// Loads the whole tree (<see cref="ManifestTree"/>: one snapshot, from one resolution of the root) and replaces the
    /// file objects of the desired state with it; false when the tree could not be read completely (missing, not a
    /// directory, a part unreadable or changing under the load): then every object it defined keeps its last good version,
    /// nothing is pruned, and their status, an event each and the log say why. Public for tests.
    /// </summary>
    public bool Scan()
    {
        var root = options.Value.Manifests;
        var snapshot = _tree.Load(root);
        if (snapshot.Unavailable is { } unavailable)
        {
            var held = desired.HoldFiles(unavailable);
            if (_unavailable != unavailable)
                log.LogWarning("Cannot read manifests: {Problem} ({Count} objects keep their last good version)", unavailable, held.Count);
            _unavailable = unavailable;
            foreach (var key in held) events.Record(key, EventType.Warning, ManifestFiles.UnavailableReason, unavailable);
            store.FlushEvents();
            return false;
        }
        if (_unavailable is not null)
        {
            log.LogInformation("Manifests directory {Directory} is back; rescanning", root);
            _unavailable = null;
        }
        var files = snapshot.Results;
        var changed = desired.ReplaceFiles(files);
        Report(files, changed);
        store.FlushEvents();
        LargeInputMemory.Release(_tree.ParsedChars);
        return true;
    }

    void Report(IReadOnlyList<(string File, ManifestLoadResult<DesiredObject> Result)> files, IReadOnlyList<ObjectKey> changed)
    {
        // Log each problem once, when it appears, not at every rescan.
        var now = new HashSet<string>();
        foreach (var (_, result) in files)
            foreach (var problem in result.Diagnostics)
            {
                var text = problem.ToString();
                now.Add(text);
                if (!_reported.Contains(text)) log.LogWarning("Invalid manifest {Problem}; the last good version stays", text);
            }
        foreach (var key in changed)
            if (desired.Get(key) is { Problems.Count: > 0 } entry)
                events.Record(key, EventType.Warning, Reasons.InvalidManifest, string.Join("; ", entry.Problems));
            else if (desired.Get(key) is null)
                log.LogInformation("Manifest of {Object} removed", key);
        foreach (var key in changed)
        {
            foreach (var problem in desired.Get(key)?.Problems ?? [])
            {
                now.Add(problem);
                if (!_reported.Contains(problem)) log.LogWarning("Manifest problem: {Problem}", problem);
            }
        }
        _reported = now;
    }

    FileSystemWatcher Watch(string root)
    {
        var watcher = new FileSystemWatcher(root) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size };
        FileSystemEventHandler poke = (_, e) => { if (ManifestFiles.IsManifest(root, e.FullPath) || Directory.Exists(e.FullPath)) _signal.Release(); };
        watcher.Created += poke;
        watcher.Changed += poke;
        watcher.Deleted += poke;
        watcher.Renamed += (_, e) => _signal.Release();
        watcher.Error += (_, e) => { log.LogWarning("inotify: {Error}; rescanning", e.GetException().Message); _signal.Release(); };
        watcher.EnableRaisingEvents = true;
        return watcher;
    }
}
