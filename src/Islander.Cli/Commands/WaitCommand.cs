using System.CommandLine;
using Islander.Cli.Api;
using Islander.Cli.Completion;
using Islander.Model;
using Islander.Model.Api;

namespace Islander.Cli.Commands;

/// <summary>
/// <c>islanderctl wait NAME... --for=CONDITION [--timeout=30s]</c>, as kubectl wait: prints <c>isle/NAME condition met</c>
/// for each isle once its condition holds, exits 0 when all did, 1 on the timeout (<c>error: timed out waiting for the
/// condition on isles/NAME</c>) or an isle that does not exist. Conditions (a small set close to kubectl's):
/// <list type="bullet">
/// <item><c>--for=delete</c>: the isle is gone (at once if it never existed, as kubectl).</item>
/// <item><c>--for=phase=PHASE</c>: status.phase is PHASE (Running, Paused, Stopped, Succeeded, Failed, BackOff, Error, ...; any case).</item>
/// <item><c>--for=condition=Ready</c>: phase Running; <c>condition=Completed</c>: it ended and stays so (Succeeded or Failed);
/// <c>condition=NAME=false</c> waits for the opposite.</item>
/// </list>
/// A timeout of 0 checks once. The isle is read every 200 ms (a GET each; the daemon's state, nothing cached).
/// </summary>
public static class WaitCommand
{
    static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    public static Command Create(Option<string?> socket)
    {
        var names = new Argument<string[]>("name") { Description = "isle names", Arity = ArgumentArity.OneOrMore };
        var condition = new Option<string>("--for") { Description = "delete, phase=PHASE, condition=Ready or condition=Completed (=false for the opposite)", Required = true };
        var timeout = new Option<string>("--timeout") { Description = "how long to wait per isle: 30s, 5m, 1h; 0 checks once (default 30s, as kubectl)", DefaultValueFactory = _ => "30s" };
        var command = new Command("wait", "wait for isles to reach a condition (as kubectl wait)") { names, condition, timeout };
        Completions.Names(names, socket, "isles");
        Completions.Values(condition, "delete", "condition=Ready", "condition=Completed", "phase=Running", "phase=Stopped", "phase=Paused", "phase=Succeeded", "phase=Failed");
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            var (describe, holds) = Parse(parse.GetValue(condition)!);
            if (!Durations.TryParse(parse.GetValue(timeout)!, out var limit) || limit < TimeSpan.Zero)
                throw new ClientException($"--timeout {parse.GetValue(timeout)}: use a duration such as 30s, 5m or 0", "BadRequest");
            foreach (var name in parse.GetValue(names)!)
            {
                var deadline = DateTimeOffset.UtcNow + limit;
                while (true)
                {
                    var isle = await client.FindAsync("isles", name, token);
                    if (isle is null && describe != "delete")
                        throw new ClientException($"isles \"{name}\" not found", "NotFound");
                    if (holds(isle))
                        break;
                    if (DateTimeOffset.UtcNow >= deadline)
                        throw new ClientException($"timed out waiting for the condition on isles/{name} ({describe}; phase is {isle?.Status.Phase})", "Timeout");
                    await Task.Delay(Poll, token);
                }
                await output.WriteLineAsync($"isle/{name} condition met");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>The condition's text (for messages) and its test over the isle (null: it does not exist).</summary>
    public static (string Describe, Func<ObjectView?, bool> Holds) Parse(string text)
    {
        var parts = text.Split('=', 2);
        switch (parts[0].ToLowerInvariant())
        {
            case "delete" when parts.Length == 1:
                return ("delete", isle => isle is null);
            case "phase" when parts.Length == 2 && Enum.TryParse<IslePhase>(parts[1], ignoreCase: true, out var phase) && !int.TryParse(parts[1], out _):
                return ($"phase={phase}", isle => isle?.Status.Phase == phase.ToString());
            case "phase":
                throw new ClientException($"--for={text}: the phases are {string.Join(", ", Enum.GetNames<IslePhase>())}", "BadRequest");
            case "condition" when parts.Length == 2:
                var cond = parts[1].Split('=', 2);
                bool wanted = cond.Length == 1 || !bool.TryParse(cond[1], out var b) || b;
                if (cond.Length == 2 && !bool.TryParse(cond[1], out _))
                    throw new ClientException($"--for={text}: a condition's value is true or false", "BadRequest");
                Func<ObjectView, bool>? test = cond[0].ToLowerInvariant() switch
                {
                    "ready" => isle => isle.Status.Phase == nameof(IslePhase.Running),
                    "completed" => isle => isle.Status.Phase is nameof(IslePhase.Succeeded) or nameof(IslePhase.Failed),
                    _ => null,
                };
                if (test is null)
                    throw new ClientException($"--for={text}: the conditions are Ready (phase Running) and Completed (Succeeded or Failed)", "BadRequest");
                return ($"condition={cond[0]}={wanted.ToString().ToLowerInvariant()}", isle => isle is not null && test(isle) == wanted);
            default:
                throw new ClientException($"--for={text}: use delete, phase=PHASE or condition=Ready|Completed", "BadRequest");
        }
    }
}
