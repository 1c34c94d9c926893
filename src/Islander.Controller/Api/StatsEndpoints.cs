using Islander.Model;
using Islander.Model.Api;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Islander.Controller.Desired;
using Islander.Controller.Ports;
using Islander.Controller.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

using static Islander.Controller.Api.ApiErrors;

namespace Islander.Controller.Api;

/// <summary>
/// Resource usage of running isles, read from the kernel at each request (nothing is sampled in the background):
/// <list type="bullet">
/// <item><c>GET isles/{name}/stats</c>: one IsleStats; 404 for an unknown isle, 409 Conflict when it is not running.</item>
/// <item><c>GET stats</c>: an IsleStatsList of every running isle (not under <c>isles/</c>, where <c>stats</c> would be an isle's name).</item>
/// </list>
/// Counters are cumulative (CPU in nanoseconds, IO in bytes); a client takes two samples and divides the difference by
/// that of their <c>timestamp</c>s, as <c>islanderctl stats</c> does for CPU %. Memory is the working set (usage less the
/// inactive file cache, docker's number); <c>memory.limitBytes</c> is the isle's limit or, with <c>limited: false</c>,
/// the machine's memory, as docker shows it. A null is a counter this host cannot read (network: an isle on the host's network).
/// </summary>
public static class StatsEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(ApiEndpoints.Prefix + "/stats", List);
        app.MapGet(ApiEndpoints.Prefix + "/isles/{name}/stats", Get);
    }

    /// <summary>Every running isle's, or with <c>?labelSelector=</c> those it selects (not read at all for the others).</summary>
    static IResult List(HttpContext context, StateStore store, DesiredStore desired)
    {
        if (Port(context) is not { } stats) return Unsupported();
        if (!LabelSelection.TryGet(context.Request, out var selector, out var bad)) return bad!;
        var items = new List<IsleStatsView>();
        foreach (var record in store.Isles())
            if (LabelSelection.Selects(selector, desired, ObjectKey.Isle(record.Name)) && stats.Read(record.Name) is { } sample)
                items.Add(View(record.Name, sample));
        return Json(new IsleStatsListView(ApiJson.ApiVersion, "IsleStatsList", items), ApiJson.Context.IsleStatsListView);
    }

    static IResult Get(string name, HttpContext context, DesiredStore desired, StateStore store)
    {
        if (Port(context) is not { } stats) return Unsupported();
        var record = store.GetIsle(name);
        if (record is null && desired.Get(ObjectKey.Isle(name)) is null)
            return NotFound(ObjectKey.Isle(name));
        if (stats.Read(name) is not { } sample)
            return Error(409, "Conflict", $"isle \"{name}\" is not running (phase {record?.State.ToString() ?? "Pending"})");
        return Json(View(name, sample), ApiJson.Context.IsleStatsView);
    }

    /// <summary>The port is optional, like the image store: a daemon composed without it answers 501.</summary>
    static IIsleStats? Port(HttpContext context) => context.RequestServices.GetService<IIsleStats>();

    public static IsleStatsView View(string name, IsleStats s) => new(
        ApiJson.ApiVersion, IsleStatsView.KindName, new ObjectMetaView(name), s.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        new CpuStatsView(s.CpuNanoseconds),
        new MemoryStatsView(s.MemoryBytes, s.MemoryLimitBytes ?? s.MachineMemoryBytes, s.MemoryLimitBytes is not null),
        new PidsStatsView(s.Pids, s.PidsLimit),
        new BlockIOStatsView(s.BlockReadBytes, s.BlockWriteBytes),
        s.NetworkRxBytes is null && s.NetworkTxBytes is null ? null : new NetworkStatsView(s.NetworkRxBytes, s.NetworkTxBytes));

    static IResult Unsupported() => Error(501, "Unsupported", "this islanderd has no stats reader");
}
