using System.CommandLine;
using Islander.Cli.Api;
using Islander.Cli.Completion;

namespace Islander.Cli.Commands;

/// <summary>
/// <c>islanderctl port NAME [PORT[/PROTO]]</c>, as docker port: the ports a running isle publishes
/// (<c>8080/tcp -> 0.0.0.0:18080</c>), from its object's <c>status.ports</c>; with a port, only where that one is
/// published (<c>0.0.0.0:18080</c>), an error (exit 1) when it is not. An isle that does not run publishes nothing.
/// </summary>
public static class PortCommand
{
    public static Command Create(Option<string?> socket)
    {
        var name = new Argument<string>("name") { Description = "an isle" };
        var port = new Argument<string?>("port") { Description = "a port of the isle, e.g. 8080 or 53/udp", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("port", "list the ports an isle publishes on the host") { name, port };
        Completions.Names(name, socket, "isles", o => o.Status.Phase is "Running" or "Paused");
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            var isleName = parse.GetValue(name)!;
            var isle = await client.GetAsync("isles", isleName, token);
            var ports = isle.Status.Ports ?? [];
            if (parse.GetValue(port) is not { } wanted)
            {
                foreach (var p in ports)
                    await output.WriteLineAsync($"{p.ContainerPort}/{p.Protocol} -> {p.HostIp}:{p.HostPort}");
                return 0;
            }
            var parts = wanted.Split('/', 2);
            var protocol = parts.Length == 2 ? parts[1].ToLowerInvariant() : "tcp";
            if (!int.TryParse(parts[0], out int number) || number is < 1 or > 65535 || protocol is not ("tcp" or "udp"))
                throw new ClientException($"\"{wanted}\" is not a port: use a number from 1 to 65535, optionally /tcp or /udp", "BadRequest");
            var found = ports.Where(p => p.ContainerPort == number && p.Protocol == protocol).ToList();
            if (found.Count == 0)
                throw new ClientException($"no public port {number}/{protocol} published for isle {isleName}" +
                    (isle.Status.Phase is "Running" or "Paused" ? "" : $" (it is {isle.Status.Phase}: a stopped isle publishes none)"), "NotFound");
            foreach (var p in found)
                await output.WriteLineAsync($"{p.HostIp}:{p.HostPort}");
            return 0;
        }));
        return command;
    }
}
