namespace Islander.Bench.ApiLoad;

/// <summary>
/// What <see cref="ApiLoadRun"/> runs against islanderd's socket: so many clients of each kind, for so long. Every client
/// has a connection of its own, as separate islanderctl processes would.
/// </summary>
public sealed record ApiLoadOptions
{
    /// <summary>islanderd's API socket.</summary>
    public required string Socket { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Clients that loop <c>GET isles</c>, each waiting <see cref="GetPause"/> between its requests.</summary>
    public int Get { get; init; }

    /// <summary>Clients that each follow one isle's log (<c>GET isles/NAME/log?follow=true</c>) for the whole run.</summary>
    public int Logs { get; init; }

    /// <summary>Clients that each watch the events (<c>GET events?watch=true</c>) for the whole run.</summary>
    public int Events { get; init; }

    /// <summary>
    /// Clients that loop <c>POST apply</c> of an isle of their own (<see cref="ApplyPrefix"/>-N), each apply a new label
    /// value and a memory limit that alternates, so that the daemon updates the isle's cgroup; <see cref="ApplyPause"/> between.
    /// </summary>
    public int Apply { get; init; }

    public TimeSpan GetPause { get; init; }
    public TimeSpan ApplyPause { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The isles the log followers follow, round robin; empty: every isle the daemon reports Running at the start.</summary>
    public IReadOnlyList<string> LogIsles { get; init; } = [];

    /// <summary>The followers' <c>tail</c>: so many entries before the new ones; null for the whole log, as <c>islanderctl logs -f</c>.</summary>
    public int? LogTail { get; init; }

    /// <summary>The root filesystem of the apply clients' isles (a directory; required when <see cref="Apply"/> &gt; 0).</summary>
    public string? Rootfs { get; init; }

    public string ApplyPrefix { get; init; } = "apiload";

    /// <summary>The apply clients' isles by name (one per client), instead of <see cref="ApplyPrefix"/>-0, -1, ...</summary>
    public IReadOnlyList<string> ApplyNames { get; init; } = [];

    /// <summary>The isle apply client <paramref name="i"/> applies.</summary>
    public string ApplyName(int i) => i < ApplyNames.Count ? ApplyNames[i] : $"{ApplyPrefix}-{i}";

    /// <summary>Whether the apply clients' isles are deleted at the end (through the API).</summary>
    public bool DeleteAppliedIsles { get; init; } = true;

    /// <summary>A follower that has received no entry for this long at the end of the run is stalled (the isles write more often).</summary>
    public TimeSpan StallAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest a request may take before it counts as an error.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
