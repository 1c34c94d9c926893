using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Islander.Model.Api;

/// <summary>The API views' source-generated serialization; use it through <see cref="ApiJson.Context"/>, which carries the options.</summary>
[JsonSerializable(typeof(ObjectView))]
[JsonSerializable(typeof(ObjectListView))]
[JsonSerializable(typeof(ObjectStatusView))]
[JsonSerializable(typeof(StatusView))]
[JsonSerializable(typeof(PathStatView))]
[JsonSerializable(typeof(VersionView))]
[JsonSerializable(typeof(ApplyResultView))]
[JsonSerializable(typeof(EventView))]
[JsonSerializable(typeof(EventListView))]
[JsonSerializable(typeof(WatchEventView))]
[JsonSerializable(typeof(ImageView))]
[JsonSerializable(typeof(ImageListView))]
[JsonSerializable(typeof(ImageProgressView))]
[JsonSerializable(typeof(KindView))]
[JsonSerializable(typeof(ExecFrameView))]
[JsonSerializable(typeof(TerminalSizeView))]
[JsonSerializable(typeof(LogEntryView))]
[JsonSerializable(typeof(IsleStatsView))]
[JsonSerializable(typeof(IsleStatsListView))]
[JsonSerializable(typeof(IsleProcessListView))]
[JsonSerializable(typeof(RolloutListView))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
