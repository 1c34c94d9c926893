using Islander.Model;
using Islander.Model.Api;
using System.CommandLine;
using System.Text.Json;
using Islander.Cli.Api;
using Islander.Cli.Completion;

namespace Islander.Cli.Commands;

/// <summary><c>islanderctl get KIND [NAME] [-o table|wide|json|yaml]</c>.</summary>
public static class GetCommand
{
    public static Command Create(Option<string?> socket)
    {
        var kind = new Argument<string>("kind") { Description = "isles, networks or volumes" };
        var name = new Argument<string?>("name") { Description = "one object (default: all of the kind)", Arity = ArgumentArity.ZeroOrOne };
        var output = OutputOption();
        var command = new Command("get", "list objects with their status") { kind, name, output };
        Completions.Values(kind, [.. IslanderClient.Plurals]);
        Completions.NamesOfKind(name, kind, socket);
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, writer, token) =>
        {
            var plural = IslanderClient.Plural(parse.GetValue(kind)!);
            var one = parse.GetValue(name);
            var raw = await client.GetRawAsync(plural, one, token);
            var format = parse.GetValue(output) ?? "table";
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

    static Table Render(string plural, IReadOnlyList<ObjectView> items, bool wide)
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
                    if (!wide) table.Add(o.Metadata.Name, s.Phase, s.Pid?.ToString(), (s.RestartCount ?? 0).ToString(), age, s.Reason);
                    else table.Add(o.Metadata.Name, s.Phase, s.Pid?.ToString(), (s.RestartCount ?? 0).ToString(), age, s.Reason, s.ExitCode?.ToString(),
                        $"{s.ObservedGeneration}/{o.Metadata.Generation ?? 0}", Str(o.Spec, "image") ?? Str(o.Spec, "rootfs"), o.Metadata.Source, s.Message);
                }
                return table;
            }
            case "networks":
            {
                var table = new Table("NAME", "PHASE", "DRIVER", "SUBNET", "GATEWAY", "AGE", "REASON");
                foreach (var o in items)
                    table.Add(o.Metadata.Name, o.Status.Phase, Str(o.Spec, "driver") ?? Islander.Model.NetworkDriverKind.Bridge.Name,
                        o.Status.Subnet ?? Str(o.Spec, "subnet"), o.Status.Gateway ?? Str(o.Spec, "gateway"), Table.Age(o.Metadata.CreationTimestamp, now), o.Status.Reason);
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
                    if (!wide) table.Add(o.Metadata.Name, s.Phase, driver, size, used, age, s.Reason);
                    else table.Add(o.Metadata.Name, s.Phase, driver, size, used, age, s.Reason, string.Join(",", s.UsedBy ?? []),
                        string.Join(",", s.Snapshots ?? []), s.Path, s.Message);
                }
                return table;
            }
        }
    }

    internal static string? Str(JsonElement spec, string field) =>
        spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()
            : null;
}
