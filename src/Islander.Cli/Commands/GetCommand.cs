using Islander.Model;
using Islander.Model.Api;
using System.CommandLine;
using System.Text.Json;
using Islander.Cli.Api;
using Islander.Cli.Completion;

namespace Islander.Cli.Commands;

/// <summary>
/// <c>islanderctl get KIND|all [NAME] [-l SELECTOR] [-w] [-o table|wide|json|yaml]</c>. <c>all</c> lists isles,
/// networks and volumes (kubectl get all); <c>-w</c> prints the list, then a line each time an object changes
/// (islanderd's watch, <c>GET isles?watch=true</c>), until Ctrl-C.
/// </summary>
public static class GetCommand
{
    public const string All = "all";

    public static Command Create(Option<string?> socket)
    {
        var kind = new Argument<string>("kind") { Description = "isles, networks, volumes, sources, or all" };
        var name = new Argument<string?>("name") { Description = "one object (default: all of the kind)", Arity = ArgumentArity.ZeroOrOne };
        var output = OutputOption();
        var selector = SelectorOption.Create(socket, c => Completions.KindsOn(c, kind));
        var watch = new Option<bool>("--watch", "-w") { Description = "after the list, print a line each time an object changes, until Ctrl-C" };
        var command = new Command("get", "list objects with their status") { kind, name, output, selector, watch };
        Completions.Values(kind, [.. IslanderClient.Plurals, All]);
        Completions.NamesOfKind(name, kind, socket);
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, writer, token) =>
        {
            var one = parse.GetValue(name);
            var labels = parse.GetValue(selector);
            var format = parse.GetValue(output) ?? "table";
            if (one is not null && labels is not null)
                throw new ClientException($"-l selects among all the objects of a kind: leave out the name ({one}), or -l", "BadRequest");
            if (parse.GetValue(kind) == All)
            {
                if (one is not null) throw new ClientException($"get all lists every kind; to see {one}, name its kind: get isle {one}", "BadRequest");
                if (parse.GetValue(watch)) throw new ClientException("-w watches one kind at a time: get isles -w (networks, volumes)", "BadRequest");
                return await AllAsync(client, writer, parse.InvocationConfiguration.Error, labels, format, token);
            }
            var plural = IslanderClient.Plural(parse.GetValue(kind)!);
            if (parse.GetValue(watch)) return await WatchAsync(client, writer, parse.InvocationConfiguration.Error, plural, one, labels, format, token);
            var raw = await client.GetRawAsync(plural, one, token, labels);
            switch (format)
            {
                case "json": await writer.WriteLineAsync(raw); return 0;
                case "yaml":
                    using (var doc = JsonDocument.Parse(raw)) await writer.WriteAsync(JsonYaml.Write(doc.RootElement));
                    return 0;
            }
            var items = one is null
                ? JsonSerializer.Deserialize(raw, ApiJson.Context.ObjectListView)!.Items
                : [JsonSerializer.Deserialize(raw, ApiJson.Context.ObjectView)!];
            if (items.Count == 0)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"No {plural} found.");
                return 0;
            }
            await Render(plural, items, format == "wide").WriteAsync(writer);
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// kubectl get all: a table per kind that has objects, names as <c>isle/web</c>, a blank line between; -o json|yaml
    /// one <c>List</c> of them all (kubectl's List).
    /// </summary>
    static async Task<int> AllAsync(IslanderClient client, TextWriter writer, TextWriter error, string? labels, string format, CancellationToken ct)
    {
        var lists = new List<(string Plural, IReadOnlyList<ObjectView> Items)>();
        foreach (var plural in IslanderClient.Plurals) lists.Add((plural, await client.ListAsync(plural, labels, ct)));
        if (format is "json" or "yaml")
        {
            var list = new ObjectListView(ApiJson.ApiVersion, "List", [.. lists.SelectMany(l => l.Items)]);
            var json = JsonSerializer.Serialize(list, ApiJson.Context.ObjectListView);
            if (format == "json") await writer.WriteLineAsync(json);
            else using (var doc = JsonDocument.Parse(json)) await writer.WriteAsync(JsonYaml.Write(doc.RootElement));
            return 0;
        }
        bool first = true;
        foreach (var (plural, items) in lists.Where(l => l.Items.Count > 0))
        {
            if (!first) await writer.WriteLineAsync();
            first = false;
            await Render(plural, items, format == "wide", plural[..^1] + "/").WriteAsync(writer);
        }
        if (first) await error.WriteLineAsync("No resources found.");
        return 0;
    }

    /// <summary>
    /// kubectl get -w: the table of what there is, then one line per change under it (a deleted object's line says
    /// phase Deleted); -o json prints each of the watch's lines as islanderd sends it (type and object, without the
    /// BOOKMARK), -o yaml each as a YAML document. A named object is watched alone.
    /// </summary>
    static async Task<int> WatchAsync(IslanderClient client, TextWriter writer, TextWriter error, string plural, string? one, string? labels, string format, CancellationToken ct)
    {
        var initial = new List<ObjectView>();
        int[]? widths = null;
        await foreach (var e in client.WatchAsync(plural, labels, one, ct))
        {
            if (e.Object is { } o && one is not null && o.Metadata.Name != one) continue;
            if (format is "json" or "yaml")
            {
                if (e.Type == WatchEventView.Bookmark) continue;
                var json = JsonSerializer.Serialize(e, ApiJson.Context.WatchEventView);
                if (format == "json") await writer.WriteLineAsync(json);
                else using (var doc = JsonDocument.Parse(json)) await writer.WriteAsync("---\n" + JsonYaml.Write(doc.RootElement));
            }
            else if (widths is null)
            {
                if (e.Type != WatchEventView.Bookmark)
                {
                    initial.Add(e.Object!);
                    continue;
                }
                var table = Render(plural, initial, format == "wide");
                if (initial.Count == 0) await error.WriteLineAsync($"No {plural} found.");
                else await table.WriteAsync(writer);
                widths = table.Widths;
            }
            else if (e.Object is { } changed)
            {
                var shown = e.Type == WatchEventView.Deleted ? changed with { Status = changed.Status with { Phase = "Deleted" } } : changed;
                await writer.WriteLineAsync(Render(plural, [shown], format == "wide").LastRow(widths));
            }
            await writer.FlushAsync(ct);
        }
        return 0;
    }

    static readonly string[] Formats = ["table", "wide", "json", "yaml"];

    internal static Option<string?> OutputOption()
    {
        var output = new Option<string?>("--output", "-o")
        {
            Description = "table (default), wide, json or yaml",
            Validators = { r => { if (r.GetValueOrDefault<string?>() is { } v && !Formats.Contains(v)) r.AddError($"-o {v}: use table, wide, json or yaml"); } },
        };
        Completions.Values(output, Formats);
        return output;
    }

    static Table Render(string plural, IReadOnlyList<ObjectView> items, bool wide, string prefix = "")
    {
        var now = DateTimeOffset.UtcNow;
        switch (plural)
        {
            case "isles":
            {
                var table = wide
                    ? new Table("NAME", "PHASE", "PID", "RESTARTS", "AGE", "REASON", "EXIT", "GEN", "IMAGE", "SOURCE", "MESSAGE")
                    : new Table("NAME", "PHASE", "PID", "RESTARTS", "AGE", "REASON");
                foreach (var o in items)
                {
                    var s = o.Status;
                    var age = Table.Age(s.StartedAt ?? o.Metadata.CreationTimestamp, now);
                    // As docker ps says "Up 5 seconds (healthy)": the health of a running isle with a healthcheck follows its phase.
                    var phase = s.Health is { } h ? $"{s.Phase} ({h.Status})" : s.Phase;
                    if (!wide) table.Add(prefix + o.Metadata.Name, phase, s.Pid?.ToString(), (s.RestartCount ?? 0).ToString(), age, s.Reason);
                    else table.Add(prefix + o.Metadata.Name, phase, s.Pid?.ToString(), (s.RestartCount ?? 0).ToString(), age, s.Reason, s.ExitCode?.ToString(),
                        $"{s.ObservedGeneration}/{o.Metadata.Generation ?? 0}", Str(o.Spec, "image") ?? Str(o.Spec, "rootfs"), o.Metadata.Source, s.Message);
                }
                return table;
            }
            case "networks":
            {
                var table = new Table("NAME", "PHASE", "DRIVER", "SUBNET", "GATEWAY", "AGE", "REASON");
                foreach (var o in items)
                    table.Add(prefix + o.Metadata.Name, o.Status.Phase, Str(o.Spec, "driver") ?? Islander.Model.NetworkDriverKind.Bridge.Name,
                        o.Status.Subnet ?? Str(o.Spec, "subnet"), o.Status.Gateway ?? Str(o.Spec, "gateway"), Table.Age(o.Metadata.CreationTimestamp, now), o.Status.Reason);
                return table;
            }
            case "sources":
            {
                // Flux's columns (flux get sources git): the revision applied, whether it is Ready, and why not.
                var table = wide
                    ? new Table("NAME", "READY", "REVISION", "OBJECTS", "AGE", "REASON", "URL", "PATH", "FETCHED", "MESSAGE")
                    : new Table("NAME", "READY", "REVISION", "OBJECTS", "AGE", "REASON");
                foreach (var o in items)
                {
                    var s = o.Status;
                    var ready = s.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status ?? "Unknown";
                    var age = Table.Age(o.Metadata.CreationTimestamp, now);
                    var git = o.Spec.ValueKind == JsonValueKind.Object && o.Spec.TryGetProperty("git", out var g) ? g : default;
                    if (!wide) table.Add(prefix + o.Metadata.Name, ready, ShortRevision(s.AppliedRevision), s.Objects?.ToString(), age, s.Reason);
                    else table.Add(prefix + o.Metadata.Name, ready, ShortRevision(s.AppliedRevision), s.Objects?.ToString(), age, s.Reason,
                        Str(git, "url"), Str(git, "path"), ShortRevision(s.FetchedRevision), s.Message);
                }
                return table;
            }
            default:
            {
                var table = wide
                    ? new Table("NAME", "PHASE", "DRIVER", "SIZE", "USED", "AGE", "REASON", "ISLES", "SNAPSHOTS", "PATH", "MESSAGE")
                    : new Table("NAME", "PHASE", "DRIVER", "SIZE", "USED", "AGE", "REASON");
                foreach (var o in items)
                {
                    var s = o.Status;
                    string? driver = s.Driver ?? Str(o.Spec, "driver");
                    string? size = s.SizeLimit is { } limit ? Islander.Model.Quantity.FormatBytes(limit) : Str(o.Spec, "size") is { } spec && long.TryParse(spec, out var b) ? Islander.Model.Quantity.FormatBytes(b) : Str(o.Spec, "size");
                    string? used = s.BytesUsed is { } bytes ? ByteSize.Format(bytes) : null;
                    var age = Table.Age(o.Metadata.CreationTimestamp, now);
                    if (!wide) table.Add(prefix + o.Metadata.Name, s.Phase, driver, size, used, age, s.Reason);
                    else table.Add(prefix + o.Metadata.Name, s.Phase, driver, size, used, age, s.Reason, string.Join(",", s.UsedBy ?? []),
                        string.Join(",", s.Snapshots ?? []), s.Path, s.Message);
                }
                return table;
            }
        }
    }

    /// <summary><c>main@sha1:0123456789ab...</c> as <c>main@0123456789ab</c>.</summary>
    static string? ShortRevision(string? revision) =>
        revision is null ? null : revision.IndexOf("@sha", StringComparison.Ordinal) is var at and > 0 && revision.IndexOf(':', at) is var colon and > 0
            ? revision[..at] + "@" + revision[(colon + 1)..Math.Min(revision.Length, colon + 13)] : revision;

    internal static string? Str(JsonElement spec, string field) =>
        spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()
            : null;
}
