using System.CommandLine;
using Islander.Cli.Api;
using Islander.Cli.Completion;
using Islander.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Islander.Cli.Commands;

/// <summary><c>islanderctl delete KIND NAME</c> or <c>delete -f FILE|DIR|-</c> (the objects those manifests name).</summary>
public static class DeleteCommand
{
    public static Command Create(Option<string?> socket)
    {
        var kind = new Argument<string?>("kind") { Description = "isle, network or volume", Arity = ArgumentArity.ZeroOrOne };
        var name = new Argument<string?>("name") { Arity = ArgumentArity.ZeroOrOne };
        var files = new Option<string[]>("--filename", "-f") { Description = "delete the objects these manifests define" };
        var command = new Command("delete", "delete objects applied through the API") { kind, name, files };
        Completions.Values(kind, [.. IslanderClient.Singulars]);
        Completions.NamesOfKind(name, kind, socket);
        Completions.Files(files);
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            var targets = new List<(string Plural, string Name)>();
            if (parse.GetValue(files) is { Length: > 0 } paths)
                foreach (var (source, text) in ManifestInputs.Read(paths, Console.In)) targets.AddRange(ObjectsIn(source, text));
            else if (parse.GetValue(kind) is { } k && parse.GetValue(name) is { } n)
                targets.Add((IslanderClient.Plural(k), n));
            else
                throw new ClientException("say what to delete: delete KIND NAME, or delete -f FILE", "BadRequest");
            int exit = 0;
            foreach (var (plural, objectName) in targets)
            {
                try
                {
                    await client.DeleteAsync(plural, objectName, token);
                    await output.WriteLineAsync($"{plural.TrimEnd('s')}/{objectName} deleted");
                }
                catch (ClientException e) when (e.Reason is "NotFound" or "Conflict")
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {e.Message}");
                    exit = 1;
                }
            }
            return exit;
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
