using System.CommandLine;
using Islander.Cli.Api;
using Islander.Cli.Completion;
using Islander.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Islander.Cli.Commands;

/// <summary>
/// <c>islanderctl delete KIND NAME</c>, <c>delete -f FILE|DIR|-</c> (the objects those manifests name), or
/// <c>delete KIND -l SELECTOR</c> / <c>delete KIND --all</c> (the objects islanderd selects). Objects from manifest
/// files are refused one by one, each naming its file, and the others deleted; any refusal makes the exit code 1.
/// </summary>
public static class DeleteCommand
{
    public static Command Create(Option<string?> socket)
    {
        var kind = new Argument<string?>("kind") { Description = "isle, network or volume", Arity = ArgumentArity.ZeroOrOne };
        var name = new Argument<string?>("name") { Arity = ArgumentArity.ZeroOrOne };
        var files = new Option<string[]>("--filename", "-f") { Description = "delete the objects these manifests define" };
        var selector = SelectorOption.Create(socket, c => Completions.KindsOn(c, kind));
        var all = new Option<bool>("--all") { Description = "delete every object of the kind (those from manifest files are refused)" };
        var command = new Command("delete", "delete objects applied through the API") { kind, name, files, selector, all };
        Completions.Values(kind, [.. IslanderClient.Singulars]);
        Completions.NamesOfKind(name, kind, socket);
        Completions.Files(files);
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            var targets = new List<(string Plural, string Name)>();
            var labels = parse.GetValue(selector);
            bool bulk = labels is not null || parse.GetValue(all);
            if (parse.GetValue(files) is { Length: > 0 } paths)
            {
                if (bulk) throw new ClientException("-f deletes what the files name; leave out -l and --all", "BadRequest");
                foreach (var (source, text) in ManifestInputs.Read(paths, Console.In)) targets.AddRange(ObjectsIn(source, text));
            }
            else if (bulk)
            {
                if (labels is not null && parse.GetValue(all)) throw new ClientException("use -l to delete the objects it selects, or --all for every one, not both", "BadRequest");
                if (parse.GetValue(kind) is not { } k) throw new ClientException("say which kind: delete isles -l app=web, or delete isles --all", "BadRequest");
                if (parse.GetValue(name) is { } n) throw new ClientException($"-l and --all select among all the {IslanderClient.Plural(k)}: leave out the name ({n})", "BadRequest");
                var plural = IslanderClient.Plural(k);
                targets.AddRange((await client.ListAsync(plural, labels, token)).Select(o => (plural, o.Metadata.Name)));
                if (targets.Count == 0)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"No {plural} found.");
                    return 0;
                }
            }
            else if (parse.GetValue(kind) is { } k && parse.GetValue(name) is { } n)
                targets.Add((IslanderClient.Plural(k), n));
            else
                throw new ClientException("say what to delete: delete KIND NAME, delete KIND -l SELECTOR, delete KIND --all, or delete -f FILE", "BadRequest");
            int refused = 0;
            foreach (var (plural, objectName) in targets)
            {
                try
                {
                    await client.DeleteAsync(plural, objectName, token);
                    await output.WriteLineAsync($"{plural.TrimEnd('s')}/{objectName} deleted");
                }
                catch (ClientException e) when (bulk && e.Reason is "NotFound")
                {
                    // Listed while being pruned (an isle whose manifest is gone, still stopping): already on its way out.
                }
                catch (ClientException e) when (e.Reason is "NotFound" or "Conflict")
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {e.Message}");
                    refused++;
                }
            }
            if (bulk && refused > 0)
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {refused} of {targets.Count} not deleted (see above); the others were");
            return refused > 0 ? 1 : 0;
        }));
        return command;
    }

    /// <summary>kind and metadata.name of each document; the parser needs no reflection, so this stays AOT-safe.</summary>
    static IEnumerable<(string, string)> ObjectsIn(string source, string text)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException e) { throw new ClientException($"{source}:{e.Start.Line}:{e.Start.Column}: {e.Message}", Reasons.InvalidManifest); }
        foreach (var doc in stream.Documents)
        {
            if (doc.RootNode is not YamlMappingNode root) continue;
            var kind = root.Children.TryGetValue(new YamlScalarNode("kind"), out var k) ? (k as YamlScalarNode)?.Value : null;
            var name = root.Children.TryGetValue(new YamlScalarNode("metadata"), out var m) && m is YamlMappingNode meta
                && meta.Children.TryGetValue(new YamlScalarNode("name"), out var n) ? (n as YamlScalarNode)?.Value : null;
            if (kind is null || name is null)
                throw new ClientException($"{source}:{root.Start.Line}: a document without kind or metadata.name", Reasons.InvalidManifest);
            yield return (IslanderClient.Plural(kind), name);
        }
    }
}
