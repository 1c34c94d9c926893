using System.CommandLine;
using System.CommandLine.Parsing;

namespace Islander.Cli.Completion;

/// <summary>
/// <c>islanderctl __complete -- WORD... CURRENT</c>, hidden: what the shell scripts of <see cref="CompletionCommand"/>
/// call at each Tab, as <c>docker __complete</c> (cobra) is called. WORDs are the command line's words after
/// <c>islanderctl</c> and before the cursor's, CURRENT the word being typed (empty after a blank). It prints one
/// candidate a line (<c>NAME</c>, or <c>NAME&lt;TAB&gt;DESCRIPTION</c> for zsh and fish) that starts with CURRENT, then
/// one directive line: <c>:values</c> (the candidates only), <c>:files</c> or <c>:dirs</c> (the shell's file or
/// directory names as well). Always exit code 0 and nothing on stderr.
/// </summary>
public static class CompleteCommand
{
    public const string Name = "__complete";

    public static Command Create(RootCommand root)
    {
        var words = new Argument<string[]>("words") { Description = "the words before the cursor's, then the word being typed", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command(Name, "print the completions of a command line (for the shell scripts)") { Hidden = true };
        command.Arguments.Add(words);
        command.SetAction(async (parse, ct) =>
        {
            foreach (var line in Lines(root, parse.GetValue(words) ?? []))
                await parse.InvocationConfiguration.Output.WriteLineAsync(line);
            return 0;
        });
        return command;
    }

    /// <summary>The candidates for the last of <paramref name="words"/>, then the directive line.</summary>
    public static IReadOnlyList<string> Lines(RootCommand root, IReadOnlyList<string> words)
    {
        string current = words.Count > 0 ? words[^1] : "";
        // The words before the cursor's, as text that ends with a blank, and the cursor there: System.CommandLine then
        // completes a new word at that place (the next argument, or the value of an option waiting for one), which is
        // what a shell asks; CURRENT only filters. Parsed as an array instead, the last word would count as given and an
        // option's value (-o ) would never be offered. No response files: "@x" is a word here, not a file to read.
        var before = words.Take(words.Count - 1).ToList();
        var configuration = new ParserConfiguration { ResponseFileTokenReplacer = null };
        ParseResult parse;
        string text;
        while (true)
        {
            text = string.Concat(before.Select(w => Quote(w) + " "));
            parse = root.Parse(text, configuration);
            // A flag (--rm, -d) may take true or false, so System.CommandLine would complete its value; nobody types that:
            // complete as if the flag were not there, which changes nothing else.
            if (before.Count == 0 || !IsFlag(parse, before[^1])) break;
            before.RemoveAt(before.Count - 1);
        }
        var lines = new List<string>();
        string directive = "values";
        // After `--` come the isle's command and its arguments (run, exec): nothing of the host's to offer.
        if (!parse.Tokens.Any(t => t.Type == TokenType.DoubleDash))
            foreach (var item in parse.GetCompletions(text.Length))
            {
                if (item.Kind == Completions.FilesKind) { directive = "files"; continue; }
                if (item.Kind == Completions.DirectoriesKind) { directive = directive == "files" ? directive : "dirs"; continue; }
                if (!item.Label.StartsWith(current, StringComparison.Ordinal)) continue;
                // Flags once a '-' is typed, as docker's and kubectl's completions: names and verbs first.
                if (item.Label.StartsWith('-') && !current.StartsWith('-')) continue;
                // System.CommandLine's Windows spellings of --help.
                if (item.Label is "-?" or "/?" or "/h") continue;
                lines.Add(item.Detail is { Length: > 0 } detail ? $"{item.Label}\t{detail.ReplaceLineEndings(" ")}" : item.Label);
            }
        lines.Add(":" + directive);
        return lines;
    }

    static bool IsFlag(ParseResult parse, string word) =>
        parse.Tokens is [.., { Type: TokenType.Option } last] && last.Value == word
        && parse.CommandResult.Command.Options.Any(o => o.ValueType == typeof(bool) && (o.Name == word || o.Aliases.Contains(word)));

    /// <summary>A word as System.CommandLine's splitter reads it back: quoted when it holds a blank (or is empty).</summary>
    static string Quote(string word) => word.Length == 0 || word.Any(char.IsWhiteSpace) ? $"\"{word}\"" : word;
}
