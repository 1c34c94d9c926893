using System.Text.RegularExpressions;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// One shell command of README.md, as a user would paste it: a line of a <c>```sh</c> or <c>```bash</c> block, with the
/// lines a trailing backslash continues and the body of a heredoc. Read from the README at test time, so the README
/// and its test cannot drift apart.
/// </summary>
internal sealed partial record ReadmeCommand(int Block, int Line, string Text)
{
    /// <summary>The command without its trailing comment, on one line, for messages and matching.</summary>
    public string Head => Text.Split('\n')[0];

    public override string ToString() => $"README.md:{Line} (block {Block}): {Text}";

    /// <summary>Every command of every <c>sh</c>/<c>bash</c> fenced block, in the README's order.</summary>
    public static List<ReadmeCommand> Parse(string readmePath)
    {
        var lines = File.ReadAllLines(readmePath);
        var commands = new List<ReadmeCommand>();
        int block = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            if (Fence().Match(lines[i]) is not { Success: true } open) continue;
            bool shell = open.Groups[1].Value is "sh" or "bash";
            if (shell) block++;
            int end = i + 1;
            while (end < lines.Length && lines[end].Trim() != "```") end++;
            Assert.True(end < lines.Length, $"README.md:{i + 1}: the fenced block is never closed");
            if (shell) commands.AddRange(Split(block, i + 2, lines[(i + 1)..end]));
            i = end;
        }
        return commands;
    }

    /// <summary>Groups a block's lines into commands: a trailing <c>\</c> continues a line; a heredoc runs to its terminator.</summary>
    static IEnumerable<ReadmeCommand> Split(int block, int firstLine, string[] lines)
    {
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0 || lines[i].TrimStart().StartsWith('#')) continue;
            int start = i;
            if (Heredoc().Match(lines[i]) is { Success: true } heredoc)
            {
                var terminator = heredoc.Groups[2].Value;
                while (i + 1 < lines.Length && lines[i].Trim() != terminator) i++;
                Assert.True(lines[i].Trim() == terminator, $"README.md:{firstLine + start}: heredoc {terminator} is never closed");
            }
            else
                while (lines[i].TrimEnd().EndsWith('\\') && i + 1 < lines.Length) i++;
            yield return new ReadmeCommand(block, firstLine + start, string.Join('\n', lines[start..(i + 1)]));
        }
    }

    [GeneratedRegex(@"^```(\w*)\s*$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"<<-?\s*(['""]?)(\w+)\1")]
    private static partial Regex Heredoc();
}
