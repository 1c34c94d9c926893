using Islander.Model;
using Islander.Model.Api;
using System.CommandLine;
using System.Text;
using Islander.Cli.Api;

namespace Islander.Cli.Commands;

/// <summary><c>islanderctl describe KIND NAME</c>: metadata, spec, status and the object's recent events, for people.</summary>
public static class DescribeCommand
{
    public static Command Create(Option<string?> socket)
    {
        var kind = new Argument<string>("kind") { Description = "isle, network or volume" };
        var name = new Argument<string>("name");
        var command = new Command("describe", "show one object in detail, with its events") { kind, name };
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
        Line("  Driver", s.Driver);
        Line("  Path", s.Path);
        Line("  Size limit", s.SizeLimit is { } limit ? Islander.Model.Quantity.FormatBytes(limit) : o.Kind == "Volume" && s.Driver is not null ? "none" : null);
        Line("  Used", s.BytesUsed is { } used ? $"{ByteSize.Format(used)} ({used} bytes)" : null);
        if (o.Kind == "Volume" && s.Driver is not null)
        {
            Line("  Snapshots", s.Snapshots is { Count: > 0 } snaps ? string.Join(", ", snaps) : "<none>");
            Line("  Used by", s.UsedBy is { Count: > 0 } users ? string.Join(", ", users) : "<none>");
        }
        if (s.Addresses is { Count: > 0 } a) Line("  Addresses", string.Join(", ", a.Select(x => $"{x.Key}={x.Value}")));
        foreach (var p in s.Problems ?? []) sb.Append($"  Problem:      {p}\n");
        sb.Append("Spec:\n");
        foreach (var line in JsonYaml.Write(o.Spec).TrimEnd('\n').Split('\n')) sb.Append("  ").Append(line).Append('\n');
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
}
