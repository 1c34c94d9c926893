using System.CommandLine;
using Islander.Cli.Completion;
using System.Text;
using System.Text.Json;
using Islander.Cli.Api;
using Islander.Model;

namespace Islander.Cli.Commands;

/// <summary>
/// <c>islanderctl diff -f FILE|DIR|-</c>: what an apply would change, as a unified diff of specs (a server-side dry
/// run), then the plan the daemon would carry out (<c>~ recreate isle web (spec changed)</c>: the Model's
/// <c>StateDiff.Diff</c>, computed by the daemon). Exit codes as kubectl diff: 0 no differences, 1 differences, 2 an error.
/// </summary>
public static class DiffCommand
{
    public static Command Create(Option<string?> socket)
    {
        var files = new Option<string[]>("--filename", "-f") { Description = "manifest file, directory, or - for stdin", Required = true };
        var command = new Command("diff", "show what apply would change") { files };
        Completions.Files(files);
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            try
            {
                bool differs = false;
                foreach (var (source, text) in ManifestInputs.Read(parse.GetValue(files) ?? [], Console.In))
                {
                    var result = await client.ApplyAsync(ConfigFileInputs.Fill(source, text), source, dryRun: true, token);
                    if (result.Problems.Count > 0 || result.Items.Any(i => i.Outcome is "error" or "invalid"))
                        throw new ClientException(string.Join("\n", result.Problems.Select(p => p.Text).Concat(result.Items.Where(i => i.Message is not null).Select(i => $"{i.Kind.ToLowerInvariant()}/{i.Name}: {i.Message}"))), Reasons.InvalidManifest, 2);
                    foreach (var item in result.Items.Where(i => i.Outcome != "unchanged"))
                    {
                        differs = true;
                        var id = $"{item.Kind.ToLowerInvariant()}/{item.Name}";
                        await output.WriteAsync(Unified(Lines(item.Current), Lines(item.Desired), item.Current is null ? "/dev/null" : $"a/{id} (live)", $"b/{id} ({source})"));
                    }
                    if (PlanText(result.Plan) is { Length: > 0 } plan)
                    {
                        differs = true;
                        await output.WriteAsync(plan);
                    }
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
