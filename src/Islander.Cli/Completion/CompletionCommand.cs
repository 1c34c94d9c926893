using System.CommandLine;

namespace Islander.Cli.Completion;

/// <summary>
/// <c>islanderctl completion bash|zsh|fish</c>: prints the shell's completion script. Each script only collects the
/// command line and calls <c>islanderctl __complete</c> (<see cref="CompleteCommand"/>), so verbs, flags, kinds and
/// the names of existing objects are always this islanderctl's and this daemon's.
/// </summary>
public static class CompletionCommand
{
    public static readonly IReadOnlyList<string> Shells = ["bash", "zsh", "fish"];

    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish" };
        shell.AcceptOnlyFromAmong([.. Shells]);
        var command = new Command("completion", "print the shell completion script (bash: source <(islanderctl completion bash))") { shell };
        command.SetAction(async (parse, ct) =>
        {
            await parse.InvocationConfiguration.Output.WriteAsync(Script(parse.GetValue(shell)!));
            return 0;
        });
        return command;
    }

    /// <summary>The script, embedded from Completion/islanderctl.SHELL.</summary>
    public static string Script(string shell)
    {
        using var stream = typeof(CompletionCommand).Assembly.GetManifestResourceStream("islanderctl." + shell)
            ?? throw new ArgumentException($"no completion script for {shell}", nameof(shell));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
