using System.CommandLine;
using System.Reflection;

namespace Islander.Cli.Commands;

/// <summary>
/// <c>islanderctl version</c>: the client's version, then the daemon's over the API (<c>GET /version</c>), as
/// <c>docker version</c>. The client's line comes first, so it is printed even when the daemon cannot be reached.
/// </summary>
public static class VersionCommand
{
    /// <summary>islanderctl's version: its assembly's informational version (<c>0.9.0+COMMIT</c>).</summary>
    public static string Client { get; } =
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static Command Create(Option<string?> socket)
    {
        var command = new Command("version", "print the versions of islanderctl and of islanderd");
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, writer, token) =>
        {
            await writer.WriteLineAsync($"Client: {Client}");
            await writer.FlushAsync(token);
            var daemon = await client.VersionAsync(token);
            await writer.WriteLineAsync($"Daemon: {daemon.Version} (API {daemon.ApiVersion}, {daemon.Runtime})");
            return 0;
        }));
        return command;
    }
}
