using Islander.Model;
using Islander.Model.Api;
using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Islander.Cli.Api;
using Islander.Cli.Completion;

namespace Islander.Cli.Commands;

/// <summary><c>islanderctl describe KIND NAME</c>: metadata, spec, status and the object's recent events, for people.</summary>
public static class DescribeCommand
{
    public static Command Create(Option<string?> socket)
    {
        var kind = new Argument<string>("kind") { Description = "isle, network or volume" };
        var name = new Argument<string>("name");
        var command = new Command("describe", "show one object in detail, with its events") { kind, name };
        Completions.Values(kind, [.. IslanderClient.Singulars]);
        Completions.NamesOfKind(name, kind, socket);
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            var o = await client.GetAsync(IslanderClient.Plural(parse.GetValue(kind)!), parse.GetValue(name)!, token);
            var events = (await client.EventsAsync(token)).Where(e => e.Kind == o.Kind && e.Name == o.Metadata.Name).TakeLast(20).ToList();
            await output.WriteAsync(Format(o, events, DateTimeOffset.UtcNow));
            return 0;
        }));
        return command;
    }

    internal static string Format(ObjectView o, IReadOnlyList<EventView> events, DateTimeOffset now)
    {
        var sb = new StringBuilder();
        void Line(string label, object? value) { if (value is not null && value.ToString() is { Length: > 0 } v) sb.Append($"{label + ":",-16}{v}\n"); }
        Line("Name", o.Metadata.Name);
        Line("Kind", o.Kind);
        Line("Labels", o.Metadata.Labels is { Count: > 0 } l ? string.Join(",", l.Select(x => $"{x.Key}={x.Value}")) : "<none>");
        Line("Managed by", o.Metadata.ManagedBy);
        Line("Source", o.Metadata.Source);
        Line("Generation", o.Metadata.Generation ?? 0);
        Line("Created", o.Metadata.CreationTimestamp?.ToString("u"));
        var s = o.Status;
        sb.Append("Status:\n");
        Line("  Phase", s.Phase);
        Line("  Reason", s.Reason);
        Line("  Message", s.Message);
        Line("  Pid", s.Pid);
        Line("  Exit code", s.ExitCode);
        Line("  Restarts", o.Kind == "Isle" ? s.RestartCount ?? 0 : null);
        Line("  Started", s.StartedAt?.ToString("u"));
        Line("  Finished", s.FinishedAt?.ToString("u"));
        Line("  Next start", s.NextStartAt?.ToString("u"));
        Line("  Observed gen", s.ObservedGeneration);
        Line("  Bridge", s.Bridge);
        Line("  Subnet", s.Subnet);
        Line("  Gateway", s.Gateway);
        Line("  Driver", s.Driver);
        Line("  Path", s.Path);
        Line("  Size limit", s.SizeLimit is { } limit ? Islander.Model.Quantity.FormatBytes(limit) : o.Kind == "Volume" && s.Driver is not null ? "none" : null);
        Line("  Used", s.BytesUsed is { } used ? $"{ByteSize.Format(used)} ({used} bytes)" : null);
        if (o.Kind == "Volume" && s.Driver is not null)
        {
            Line("  Snapshots", s.Snapshots is { Count: > 0 } snaps ? string.Join(", ", snaps) : "<none>");
            Line("  Used by", s.UsedBy is { Count: > 0 } users ? string.Join(", ", users) : "<none>");
        }
        if (s.Health is { } health)
        {
            Line("  Health", health.FailingStreak > 0 ? $"{health.Status} (failing streak {health.FailingStreak})" : health.Status);
            foreach (var r in health.Log)
            {
                var result = r.HttpStatus is { } http ? $"HTTP {http}" : r.ExitCode is { } code ? $"exit {code}" : r.Passed ? "passed" : "failed";
                var output = r.Output.ReplaceLineEndings(" ").Trim();
                sb.Append($"    {r.Start.ToLocalTime():HH:mm:ss}  {result,-9} {(output.Length > 100 ? output[..100] + "..." : output)}\n");
            }
        }
        Line("  Fetched", s.FetchedRevision);
        Line("  Applied", s.AppliedRevision);
        Line("  Objects", s.Objects);
        Line("  Last fetch", s.LastFetchTime?.ToString("u"));
        foreach (var c in s.Conditions ?? [])
            Line($"  {c.Type}", $"{c.Status} ({c.Reason}{(c.LastTransitionTime is { } t ? $", since {t:u}" : "")})");
        if (s.Addresses is { Count: > 0 } a) Line("  Addresses", string.Join(", ", a.Select(x => $"{x.Key}={x.Value}")));
        foreach (var p in s.Problems ?? []) sb.Append($"  Problem:      {p}\n");
        sb.Append("Spec:\n");
        foreach (var line in SpecYaml(o).TrimEnd('\n').Split('\n')) sb.Append("  ").Append(line).Append('\n');
        sb.Append("Events:\n");
        if (events.Count == 0) sb.Append("  <none>\n");
        else
        {
            var table = new Table("  TYPE", "REASON", "AGE", "MESSAGE");
            foreach (var e in events) table.Add("  " + e.Type, e.Reason, Table.Age(e.Time, now), e.Message);
            var w = new StringWriter();
            table.WriteAsync(w).GetAwaiter().GetResult();
            sb.Append(w);
        }
        return sb.ToString();
    }

    /// <summary>
    /// The spec as a manifest says it (<c>memory: 32Mi</c>, <c>stopTimeout: 10s</c>, defaults left out), through the
    /// Model's writer; the API's own form when the spec is not one this islanderctl can read (a newer daemon's field).
    /// </summary>
    internal static string SpecYaml(ObjectView o)
    {
        if (o.Spec.ValueKind != JsonValueKind.Object || !o.Spec.EnumerateObject().Any())
            return JsonYaml.Write(o.Spec);
        Manifest? manifest;
        try
        {
            var meta = new ObjectMeta(o.Metadata.Name);
            manifest = o.Kind switch
            {
                "Isle" => new IsleManifest(meta, Read(o.Spec, SpecJsonContext.Default.IsleSpec), ManifestSource.None),
                "Network" => new NetworkManifest(meta, Read(o.Spec, SpecJsonContext.Default.NetworkSpec), ManifestSource.None),
                "Volume" => new VolumeManifest(meta, Read(o.Spec, SpecJsonContext.Default.VolumeSpec), ManifestSource.None),
                _ => null,
            };
        }
        catch (Exception e) when (e is JsonException or FormatException or NotSupportedException)
        {
            manifest = null;
        }
        if (manifest is null)
            return JsonYaml.Write(o.Spec);
        using var written = JsonDocument.Parse(ManifestWriter.WriteJson(manifest));
        return written.RootElement.TryGetProperty("spec", out var spec) ? JsonYaml.Write(spec) : JsonYaml.Write(o.Spec);
    }

    static T Read<T>(JsonElement spec, JsonTypeInfo<T> info) =>
        SpecJsonContext.Read(JsonNode.Parse(spec.GetRawText())!.AsObject(), info);
}
