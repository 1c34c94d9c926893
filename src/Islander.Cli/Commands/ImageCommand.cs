using Islander.Model;
using Islander.Model.Api;
using System.CommandLine;
using Islander.Cli.Completion;
using System.Text.Json;
using Islander.Cli.Api;
using Spectre.Console;

namespace Islander.Cli.Commands;

/// <summary><c>islanderctl image pull|ls|inspect|rm|import</c>: the daemon's image store.</summary>
public static class ImageCommand
{
    public static Command Create(Option<string?> socket)
    {
        var command = new Command("image", "manage images: pull, ls, inspect, rm, import");
        command.Subcommands.Add(Pull(socket));
        command.Subcommands.Add(List(socket));
        command.Subcommands.Add(Inspect(socket));
        command.Subcommands.Add(Remove(socket));
        command.Subcommands.Add(Import(socket));
        return command;
    }

    static Command Pull(Option<string?> socket)
    {
        var reference = new Argument<string>("REF") { Description = "image reference: busybox, localhost:5000/team/app:1.2, repo@sha256:…" };
        var insecure = new Option<bool>("--insecure") { Description = "plain HTTP to this registry (localhost and 127.0.0.0/8 always are)" };
        var command = new Command("pull", "pull an image from a registry") { reference, insecure };
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            var lines = client.PullImageAsync(parse.GetValue(reference)!, parse.GetValue(insecure), token);
            ImageView? result = null;
            if (ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
            {
                await AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new SpinnerColumn())
                    .StartAsync(async ctx =>
                    {
                        var bars = new Dictionary<string, ProgressTask>();
                        await foreach (var step in lines)
                        {
                            if (step.Image is { } image) { result = image; continue; }
                            if (step.Progress is not { } line) continue;
                            if (!bars.TryGetValue(line.Item, out var bar)) bars[line.Item] = bar = ctx.AddTask(line.Item, maxValue: 1);
                            bar.Description = $"{line.Item} {line.Phase}";
                            if (line.Total > 0) { bar.MaxValue = line.Total; bar.Value = line.Current; }
                            if (line.Phase is "Complete" or "AlreadyExists" or "Done") { bar.Value = bar.MaxValue; bar.StopTask(); }
                        }
                    });
            }
            else
            {
                var last = new Dictionary<string, string>();
                await foreach (var step in lines)
                {
                    if (step.Image is { } image) { result = image; continue; }
                    if (step.Progress is not { } line || (last.TryGetValue(line.Item, out var phase) && phase == line.Phase)) continue;
                    last[line.Item] = line.Phase;
                    await output.WriteLineAsync($"{line.Item}: {line.Phase}");
                }
            }
            await output.WriteLineAsync($"{result?.Names?.FirstOrDefault() ?? parse.GetValue(reference)}: {result?.Id}");
            if (result?.PulledFrom is { } source)
                await output.WriteLineAsync($"pulled from {source}");
            await WarnSkippedAsync(parse, result?.SkippedDevices);
            return 0;
        }));
        return command;
    }

    static Command List(Option<string?> socket)
    {
        var output = GetCommand.OutputOption();
        var command = new Command("ls", "list images") { output };
        command.Aliases.Add("list");
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, writer, token) =>
        {
            if (parse.GetValue(output) is "json")
            {
                await writer.WriteLineAsync(Pretty(await client.GetImagesRawAsync(null, token)));
                return 0;
            }
            var table = new Table("NAME", "IMAGE ID", "CREATED", "SIZE");
            foreach (var image in await client.ListImagesAsync(token))
            {
                var names = image.Names.Count > 0 ? image.Names : ["<none>"];
                foreach (var name in names)
                    table.Add(name, ShortId(image.Id), Table.Age(image.Created ?? image.Added), ByteSize.Format(image.Size));
            }
            await table.WriteAsync(writer);
            return 0;
        }));
        return command;
    }

    static Command Inspect(Option<string?> socket)
    {
        var reference = new Argument<string>("REF") { Description = "image name or id (prefix)" };
        var output = new Option<string?>("--output", "-o") { Description = "json (default)" };
        var command = new Command("inspect", "show an image as JSON") { reference, output };
        Completions.Images(reference, socket);
        Completions.Values(output, "json");
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, writer, token) =>
        {
            await writer.WriteLineAsync(Pretty(await client.GetImagesRawAsync(parse.GetValue(reference)!, token)));
            return 0;
        }));
        return command;
    }

    static Command Remove(Option<string?> socket)
    {
        var reference = new Argument<string>("REF") { Description = "image name or id (prefix)" };
        var command = new Command("rm", "remove an image name, or the image (refused while an isle uses it)") { reference };
        Completions.Images(reference, socket);
        command.Aliases.Add("remove");
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, writer, token) =>
        {
            var status = await client.RemoveImageAsync(parse.GetValue(reference)!, token);
            await writer.WriteLineAsync(status.Message);
            return 0;
        }));
        return command;
    }

    static Command Import(Option<string?> socket)
    {
        var file = new Argument<string>("FILE") { Description = "a tarball: root filesystem (docker export), docker save or OCI archive; plain, gzip or zstd; - for stdin" };
        var name = new Option<string?>("--name") { Description = "name the image, e.g. busybox:latest" };
        var command = new Command("import", "import an image from a tarball (uploaded to islanderd)") { file, name };
        Completions.Files(file);
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, writer, token) =>
        {
            string path = parse.GetValue(file)!;
            Stream input;
            try { input = path == "-" ? Console.OpenStandardInput() : File.OpenRead(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ClientException($"cannot read {path}: {e.Message}", "BadRequest");
            }
            await using (input)
            {
                var image = await client.ImportImageAsync(input, parse.GetValue(name), token);
                await writer.WriteLineAsync($"{image.Names.FirstOrDefault() ?? "<none>"}: {image.Id}");
                await WarnSkippedAsync(parse, image.SkippedDevices);
            }
            return 0;
        }));
        return command;
    }

    /// <summary>One line per device node the image held and islanderd did not create, on stderr.</summary>
    static async Task WarnSkippedAsync(ParseResult parse, IReadOnlyList<string>? skipped)
    {
        foreach (var node in skipped ?? [])
            await parse.InvocationConfiguration.Error.WriteLineAsync($"warning: device node {node} not created: an isle gets its own /dev with Docker's devices");
    }

    static string ShortId(string id) => id.StartsWith("sha256:", StringComparison.Ordinal) && id.Length >= 19 ? id[7..19] : id;

    static string Pretty(string json)
    {
        using var doc = JsonDocument.Parse(json);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            doc.WriteTo(w);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
