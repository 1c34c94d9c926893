using System.CommandLine;
using Islander.Cli.Completion;
using System.Text.Json;
using Islander.Cli.Api;
using Islander.Model.Api;

namespace Islander.Cli.Commands;

/// <summary>
/// <c>islanderctl stats [NAME...|-l SELECTOR] [--no-stream] [-o table|json]</c>: docker stats. Samples the API every second and
/// shows, per isle, CPU % over the last second (100 % = one core), memory (working set / limit), network, block IO and
/// tasks. The first screen comes after one second, since CPU % needs two samples; <c>--no-stream</c> prints that
/// one screen and exits (docker's --no-stream also waits for two samples). Without names, every running isle, the set
/// refreshed at each screen; with names, those isles: an unknown or stopped one is an error at the start, and a row
/// of "--" if it stops later. On a terminal each screen redraws the last one; otherwise screens follow each other,
/// one blank line apart. <c>-o json</c> prints, per screen, one line: the API's IsleStatsList (or the named isles'
/// IsleStats as one) with each item's <c>cpu.percent</c> added, the one field the API does not have.
/// </summary>
public static class StatsCommand
{
    /// <summary>docker stats' refresh period; also the CPU % window.</summary>
    static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public static Command Create(Option<string?> socket)
    {
        var names = new Argument<string[]>("name") { Description = "isles to show (default: every running isle)", Arity = ArgumentArity.ZeroOrMore };
        var noStream = new Option<bool>("--no-stream") { Description = "print one sample (CPU % over one second) and exit" };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "table (default) or json",
            Validators = { r => { if (r.GetValueOrDefault<string?>() is { } v && v is not ("table" or "json")) r.AddError($"-o {v}: use table or json"); } },
        };
        var selector = SelectorOption.Create(socket, _ => ["isles"]);
        var command = new Command("stats", "show the resource usage of running isles, refreshed every second") { names, noStream, output, selector };
        Completions.Names(names, socket, "isles", o => o.Status.Phase == "Running");
        Completions.Values(output, "table", "json");
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, writer, token) =>
        {
            var wanted = (parse.GetValue(names) ?? []).Distinct().ToList();
            var labels = parse.GetValue(selector);
            if (labels is not null && wanted.Count > 0)
                throw new ClientException($"-l selects among the running isles: leave out the names ({string.Join(" ", wanted)}), or -l", "BadRequest");
            bool json = parse.GetValue(output) == "json";
            bool terminal = !json && ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;
            bool once = parse.GetValue(noStream);

            var previous = await SampleAsync(client, wanted, labels, first: true, token);
            for (int frame = 0; ; frame++)
            {
                await Task.Delay(Interval, token);
                var current = StatsFrame.WithCpuPercent(previous, await SampleAsync(client, wanted, labels, first: false, token));
                await WriteAsync(writer, wanted, current, json, terminal, frame);
                await writer.FlushAsync(token);
                if (once) return 0;
                previous = current;
            }
        }));
        return command;
    }

    /// <summary>The named isles' IsleStats (at the first sample, unknown or stopped ones fail), or every running isle's that the selector selects.</summary>
    static async Task<IReadOnlyList<IsleStatsView>> SampleAsync(IslanderClient client, IReadOnlyList<string> names, string? selector, bool first, CancellationToken ct)
    {
        if (names.Count == 0)
            return JsonSerializer.Deserialize(await client.StatsRawAsync(null, ct, selector), ApiJson.Context.IsleStatsListView)!.Items;
        var items = new List<IsleStatsView>();
        foreach (var name in names)
        {
            try
            {
                items.Add(JsonSerializer.Deserialize(await client.StatsRawAsync(name, ct), ApiJson.Context.IsleStatsView)!);
            }
            catch (ClientException e) when (!first && e.Reason is "NotFound" or "Conflict")
            {
                // Stopped or deleted since: its row shows "--" until it runs again.
            }
        }
        return items;
    }

    static async Task WriteAsync(TextWriter writer, IReadOnlyList<string> names, IReadOnlyList<IsleStatsView> items, bool json, bool terminal, int frame)
    {
        if (json)
        {
            await writer.WriteLineAsync(JsonSerializer.Serialize(new IsleStatsListView(ApiJson.ApiVersion, "IsleStatsList", items), ApiJson.Context.IsleStatsListView));
            return;
        }
        var rows = names.Count > 0 ? names : items.Select(i => i.Metadata.Name).ToList();
        var text = new StringWriter();
        await StatsFrame.Render(rows, items).WriteAsync(text);
        if (!terminal)
        {
            if (frame > 0) await writer.WriteLineAsync();
            await writer.WriteAsync(text.ToString());
            return;
        }
        // Redraw in place: cursor home, each line then erase-to-end-of-line, then erase below (no flicker of a full clear).
        var screen = new System.Text.StringBuilder(frame == 0 ? "\e[2J\e[H" : "\e[H");
        foreach (var line in text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
            screen.Append(line).Append("\e[K\n");
        screen.Append("\e[J");
        await writer.WriteAsync(screen.ToString());
    }
}
