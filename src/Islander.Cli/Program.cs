using System.CommandLine;
using Islander.Model;

var root = Islander.Cli.Commands.ClientCommands.Root();

try
{
    return await root.Parse(args).InvokeAsync();
}
catch (IslanderException e)
{
    // Errors say what went wrong and where; a stack trace helps nobody at the terminal.
    Console.Error.WriteLine($"islanderctl: {e.Message}");
    return e.Category == ErrorCategory.InvalidManifest ? 2 : 125;
}
