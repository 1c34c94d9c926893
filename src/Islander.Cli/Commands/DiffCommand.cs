using System.CommandLine;
using Islander.Cli.Completion;
using System.Text;
using System.Text.Json;
using Islander.Cli.Api;
using Islander.Model;

namespace Islander.Cli.Commands;

/// <summary>
/// <c>islanderctl diff -f FILE|DIR|- [--manifests | --source NAME]</c>: what the daemon would do with these manifests,
/// as a unified diff of specs, then the plan it would carry out (<c>~ recreate isle web (spec changed)</c>: the Model's
/// <c>StateDiff.Diff</c>), from a server-side dry run that changes nothing. The manifests are previewed as the tree of
/// the owner that holds their objects (the manifests directory, a source; the API for new and applied objects, as
/// kubectl diff), or of the one named: <c>--manifests</c>, <c>--source NAME</c> (Flux's <c>diff kustomization --path</c>).
/// One directory is a whole tree, read as the daemon reads one: what the owner holds and it does not define is shown
/// pruned (or released, under <c>prune: false</c>); files and stdin are previewed object by object. Exit codes as
/// kubectl diff: 0 no differences, 1 differences, 2 an error (an invalid manifest, an object another owner holds).
/// </summary>
public static class DiffCommand
{
    public static Command Create(Option<string?> socket)
    {
        var files = new Option<string[]>("--filename", "-f") { Description = "manifest file, directory (a whole tree), or - for stdin", Required = true };
        var manifests = new Option<bool>("--manifests") { Description = "preview them as the daemon's manifests directory" };
        var source = new Option<string?>("--source") { Description = "preview them as the tree of this git source" };
        var command = new Command("diff", "show what apply, or these manifests as the manifests directory or a source's tree, would change") { files, manifests, source };
        Completions.Files(files);
        Completions.Names(source, socket, "sources");
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            try
            {
                var paths = parse.GetValue(files) ?? [];
                var sourceName = parse.GetValue(source);
                if (parse.GetValue(manifests) && sourceName is not null)
                    throw new ClientException("--manifests and --source name two different trees; give one of them", "BadRequest", 2);
                var owner = parse.GetValue(manifests) ? "files" : sourceName is not null ? $"source/{sourceName}" : null;
                bool whole = paths is [var only] && only != "-" && Directory.Exists(only);
                var inputs = (whole ? ManifestInputs.Tree(paths[0]) : ManifestInputs.Read(paths, Console.In)).Select(i => (i.Source, ConfigFileInputs.Fill(i.Source, i.Text))).ToList();
                var result = await client.PreviewAsync(inputs, owner, whole, token);
                var failures = result.Problems.Select(p => p.Text)
                    .Concat(result.Items.Where(i => i.Outcome is "error" or "invalid" or "conflict" && i.Message is not null).Select(i => $"{i.Kind.ToLowerInvariant()}/{i.Name}: {i.Message}"))
                    .Distinct().ToList();
                if (failures.Count > 0 || result.Items.Any(i => i.Outcome is "error" or "invalid" or "conflict"))
                    throw new ClientException(string.Join("\n", failures), Reasons.InvalidManifest, 2);
                bool differs = false;
                var label = paths is [var one] ? (one == "-" ? "<stdin>" : one) : null;
                foreach (var item in result.Items.Where(i => i.Outcome is not "unchanged"))
                {
                    differs = true;
                    var id = $"{item.Kind.ToLowerInvariant()}/{item.Name}";
                    if (item.Outcome == "released")
                    {
                        await output.WriteAsync($"# {id}: {item.Message}\n");
                        continue;
                    }
                    var to = item.Outcome == "pruned" ? $"/dev/null (pruned: {label ?? "its manifest"} no longer defines it)" : $"b/{id} ({label ?? "manifests"})";
                    await output.WriteAsync(Unified(Lines(item.Current), Lines(item.Desired), item.Current is null ? "/dev/null" : $"a/{id} (live)", to));
                }
                if (PlanText(result.Plan) is { Length: > 0 } plan)
                {
                    differs = true;
                    await output.WriteAsync(plan);
                }
                return differs ? 1 : 0;
            }
            catch (ClientException e) when (e.ExitCode != 2)
            {
                throw new ClientException(e.Message, e.Reason, 2, e.Problems);
            }
        }));
        return command;
    }

    /// <summary>The plan's lines under a heading, or "" when the apply would make the daemon do nothing.</summary>
    public static string PlanText(IReadOnlyList<string>? plan) =>
        plan is { Count: > 0 } ? "plan:\n" + string.Concat(plan.Select(l => $"  {l}\n")) : "";

    static string[] Lines(JsonElement? spec) =>
        spec is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } s ? JsonYaml.Write(s).TrimEnd('\n').Split('\n') : [];

    /// <summary>A unified diff with 3 lines of context, from a longest-common-subsequence table (specs are short).</summary>
    public static string Unified(string[] a, string[] b, string from, string to)
    {
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (int i = a.Length - 1; i >= 0; i--)
            for (int j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        var ops = new List<(char Op, string Line, int A, int B)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y]) { ops.Add((' ', a[x], x, y)); x++; y++; }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1])) { ops.Add(('-', a[x], x, y)); x++; } // removals first, as diff -u
            else { ops.Add(('+', b[y], x, y)); y++; }
        }
        var sb = new StringBuilder($"--- {from}\n+++ {to}\n");
        const int context = 3;
        for (int k = 0; k < ops.Count;)
        {
            if (ops[k].Op == ' ') { k++; continue; }
            int start = Math.Max(0, k - context), end = k;
            while (end < ops.Count)
            {
                int next = end;
                while (next < ops.Count && ops[next].Op == ' ') next++;
                if (next == ops.Count || next - end > 2 * context) { end = Math.Min(ops.Count, end + context); break; }
                while (next < ops.Count && ops[next].Op != ' ') next++;
                end = next;
            }
            var hunk = ops.GetRange(start, end - start);
            int aLen = hunk.Count(o => o.Op != '+'), bLen = hunk.Count(o => o.Op != '-');
            sb.Append($"@@ -{(aLen == 0 ? hunk[0].A : hunk[0].A + 1)},{aLen} +{(bLen == 0 ? hunk[0].B : hunk[0].B + 1)},{bLen} @@\n");
            foreach (var o in hunk) sb.Append(o.Op).Append(o.Line).Append('\n');
            k = end;
        }
        return sb.ToString();
    }
}
