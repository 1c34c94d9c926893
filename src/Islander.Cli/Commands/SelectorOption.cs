using System.CommandLine;
using System.CommandLine.Completions;
using Islander.Cli.Completion;
using Islander.Model;

namespace Islander.Cli.Commands;

/// <summary>
/// <c>-l, --selector</c>, kubectl's label selector, on get, delete, events and stats: checked here with the Model's
/// <see cref="LabelSelector"/> (a bad one is a usage error, exit 1, before islanderd is asked) and sent as
/// <c>labelSelector=</c>, so islanderd does the selecting. Completes to the <c>key=value</c> labels the objects have.
/// </summary>
static class SelectorOption
{
    public static Option<string?> Create(Option<string?> socket, Func<CompletionContext, IReadOnlyList<string>> plurals)
    {
        var option = new Option<string?>("--selector", "-l")
        {
            Description = "only objects whose labels match, e.g. -l app=web,tier!=db (also key, !key, key in (a,b), key notin (a,b))",
            Validators =
            {
                r =>
                {
                    if (!LabelSelector.TryParse(r.GetValueOrDefault<string?>(), out _, out var error)) r.AddError($"-l: {error}");
                },
            },
        };
        Completions.Labels(option, socket, plurals);
        return option;
    }
}
