using Islander.Model;
using Islander.Controller.Events;
using Islander.Controller.Hosting;
using Islander.Controller.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Islander.Controller.Desired;

/// <summary>
/// Keeps the file part of <see cref="DesiredStore"/> equal to the manifests directory: a full rescan (one
/// <see cref="ManifestTree"/> snapshot) once a burst of inotify events has ended (<see cref="Quiet"/>, at most
/// <see cref="MaxDelay"/> after its first event), at once when the root itself is replaced (a symbolic link swapped to a
/// new tree, git-sync's way, seen by watching the root's parent), and every <see cref="DaemonOptions.Resync"/>, in case
/// inotify missed something (overflow, network filesystems). A rescan is level-triggered too: it never applies "what
/// changed", only "what is".
/// </summary>
public sealed class ManifestDirectorySource(
    IOptions<DaemonOptions> options, IManifestParser parser, DesiredStore desired, StateStore store, EventRecorder events, TimeProvider time,
    ILogger<ManifestDirectorySource> log) : BackgroundService
{
    readonly QuietPeriod _quiet = new(time, Quiet, MaxDelay);
    readonly ManifestTree _tree = new(parser);
    HashSet<string> _reported = new();
    string? _unavailable;
    string? _resolved;

    /// <summary>
    /// How long the manifests must stay unchanged after a file event before they are scanned: editors write, rename and
    /// chmod within a few milliseconds, `git pull` or `cp -r` write file after file, and a tree scanned in the middle
    /// would apply half a revision (prune what the rest would define, restart what it would leave as it was). Short,
    /// because it adds to every manifest edit's latency.
    /// </summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest a burst delays a scan: a writer that never stops (a loop, a tool gone wrong) is scanned every this long.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // scan off the host's start path, so the API listens at once
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.Value.Manifests));
        FileSystemWatcher? watcher = null, parent = null;
        string? watched = null;
        bool warned = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                parent ??= WatchParent(root);
                // inotify follows inodes: a directory renamed away, or the old target of a swapped link, would still be
                // the one watched. Watch what the root leads to now, before scanning it, so no write in between is lost.
                var target = Target(root);
                if (target != watched)
                {
                    watcher?.Dispose();
                    watcher = target is null ? null : Watch(target);
                    watched = target;
                }
                if (watcher is null && !warned)
                {
                    log.LogWarning("Manifests directory {Directory} does not exist; watching nothing until it does (resync every {Resync})", root, options.Value.Resync);
                    warned = true;
                }
                if (Scan() && _resolved != watched) _quiet.PokeNow(); // swapped between the watch and the scan
                await _quiet.WaitAsync(_notRecorded ? NotRecordedRetry : options.Value.Resync, stoppingToken).ConfigureAwait(false);
            }
        }
        finally
        {
            watcher?.Dispose();
            parent?.Dispose();
        }
    }

    /// <summary>The directory <paramref name="root"/> leads to now, or null when there is none.</summary>
    static string? Target(string root)
    {
        try
        {
            return Directory.Exists(root) ? ManifestFiles.RealPath(root) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Loads the whole tree (<see cref="ManifestTree"/>: one snapshot, from one resolution of the root) and replaces the
    /// file objects of the desired state with it; false when the tree could not be read completely (missing, not a
    /// directory, a part unreadable or changing under the load): then every object it defined keeps its last good version,
    /// nothing is pruned, and their status, an event each and the log say why. Public for tests.
    /// </summary>
    /// <summary>The last scan's change could not be recorded (a full disk): scanned again every <see cref="NotRecordedRetry"/>.</summary>
    bool _notRecorded;

    /// <summary>How soon a scan whose change the state database refused is tried again (a check of free space costs one write).</summary>
    static readonly TimeSpan NotRecordedRetry = TimeSpan.FromSeconds(1);

    public bool Scan()
    {
        var root = options.Value.Manifests;
        var snapshot = _tree.Load(root);
        _resolved = snapshot.ResolvedRoot;
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
        IReadOnlyList<ObjectKey> changed;
        try
        {
            changed = desired.ReplaceFiles(files);
        }
        catch (IslanderException e) when (e.Category is ErrorCategory.InsufficientStorage or ErrorCategory.Transient)
        {
            // A full disk under the state directory: nothing changed (memory and database both as before); the next
            // scan (at the resync) saves the change once space returns. islanderd keeps serving meanwhile.
            if (!_notRecorded) log.LogWarning("Manifests not recorded: {Error}; retried every {Retry} s", e.Message, NotRecordedRetry.TotalSeconds);
            _notRecorded = true;
            return false;
        }
        if (_notRecorded) log.LogInformation("Manifests recorded again");
        _notRecorded = false;
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

    FileSystemWatcher Watch(string directory)
    {
        var watcher = new FileSystemWatcher(directory) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size };
        // Any file may be a config file a manifest names (nginx.conf): all but dotfiles and dot directories' rescan.
        FileSystemEventHandler poke = (_, e) => { if (ManifestFiles.IsTreeFile(directory, e.FullPath) || Directory.Exists(e.FullPath)) _quiet.Poke(); };
        watcher.Created += poke;
        watcher.Changed += poke;
        watcher.Deleted += poke;
        watcher.Renamed += (_, e) => _quiet.Poke();
        watcher.Error += (_, e) => { log.LogWarning("inotify: {Error}; rescanning", e.GetException().Message); _quiet.Poke(); };
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    /// <summary>
    /// Watches the directory that holds the root for the root's own name: a link renamed over it (<c>ln -s rev2 tmp &amp;&amp;
    /// mv -T tmp root</c>), a directory moved there or away. rename(2) replaces it atomically, so the new tree is
    /// complete: it is scanned at once, with no quiet period. Null when that directory does not exist (yet).
    /// </summary>
    FileSystemWatcher? WatchParent(string root)
    {
        var parent = Path.GetDirectoryName(root);
        if (parent is null || !Directory.Exists(parent)) return null;
        var name = Path.GetFileName(root);
        var watcher = new FileSystemWatcher(parent) { IncludeSubdirectories = false, NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName };
        FileSystemEventHandler swapped = (_, e) => { if (e.Name == name) _quiet.PokeNow(); };
        watcher.Created += swapped;
        watcher.Deleted += swapped;
        watcher.Renamed += (_, e) => { if (e.Name == name || e.OldName == name) _quiet.PokeNow(); };
        watcher.Error += (_, e) => { log.LogWarning("inotify: {Error}; rescanning", e.GetException().Message); _quiet.PokeNow(); };
        watcher.EnableRaisingEvents = true;
        return watcher;
    }
}
