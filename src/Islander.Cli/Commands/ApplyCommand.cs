using System.CommandLine;
using Islander.Cli.Completion;
using Islander.Cli.Api;

namespace Islander.Cli.Commands;

/// <summary><c>islanderctl apply -f FILE|DIR|-</c>: kubectl's apply. Prints one line per object; problems on stderr, exit 1.</summary>
public static class ApplyCommand
{
    public static Command Create(Option<string?> socket)
    {
        var files = new Option<string[]>("--filename", "-f") { Description = "manifest file, directory of manifests, or - for stdin", Required = true };
        var command = new Command("apply", "create or update objects from manifests") { files };
        Completions.Files(files);
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            int exit = 0;
            foreach (var (source, text) in ManifestInputs.Read(parse.GetValue(files) ?? [], Console.In))
            {
                var result = await client.ApplyAsync(ConfigFileInputs.Fill(source, text), source, dryRun: false, token);
                foreach (var item in result.Items)
                {
                    var line = $"{item.Kind.ToLowerInvariant()}/{item.Name} {item.Outcome}";
                    if (item.Outcome is "error" or "invalid")
                    {
                        exit = 1;
                        await parse.InvocationConfiguration.Error.WriteLineAsync(item.Message is null ? line : $"{line}: {item.Message}");
                    }
                    else await output.WriteLineAsync(line);
                }
                foreach (var problem in result.Problems)
                {
                    exit = 1;
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {problem.Text}");
                }
            }
            return exit;
        }));
        return command;
    }
}
