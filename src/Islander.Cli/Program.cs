using System.CommandLine;
using Islander.Model;

var root = new RootCommand("islanderctl: control islander, the declarative container engine");
var socket = Islander.Cli.Commands.ClientCommands.SocketOption(); // --socket, or ISLANDER_SOCKET
root.Options.Add(socket);
foreach (var command in Islander.Cli.Commands.ClientCommands.Create(socket))
    root.Subcommands.Add(command);

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
