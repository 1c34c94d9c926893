using System.CommandLine;
using System.CommandLine.Completions;
using System.Text.Json;
using Islander.Cli.Api;
using Islander.Model;
using Islander.Model.Api;

namespace Islander.Cli.Completion;

/// <summary>
/// What each argument and option of islanderctl completes to, as System.CommandLine completion sources
/// (<see cref="Argument.CompletionSources"/>, <see cref="Option.CompletionSources"/>) that <c>islanderctl __complete</c>
/// asks through <see cref="ParseResult.GetCompletions"/>; verbs and flags come from the command tree itself, so the
/// scripts never hold a list that could drift from it. Names of existing objects come from islanderd, at the socket the
/// command line being completed names (<c>--socket</c>, else <c>ISLANDER_SOCKET</c>, else the default). A daemon that
/// is down, refuses the caller, or does not answer within <see cref="Timeout"/> gives no names and no message: a
/// completion never writes on the user's terminal.
/// </summary>
public static class Completions
{
    /// <summary>The kind of a candidate that stands for "file names here": <see cref="CompleteCommand"/> turns it into a directive for the shell.</summary>
    internal const string FilesKind = "islander:files";

    /// <summary>As <see cref="FilesKind"/>, for directories only.</summary>
    internal const string DirectoriesKind = "islander:directories";

    /// <summary>A daemon that accepts but does not answer must not hang the user's shell.</summary>
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>Fixed values (output formats, restart policies).</summary>
    public static void Values(Option option, params string[] values) => option.CompletionSources.Add(values);

    public static void Values(Argument argument, params string[] values) =>
        argument.CompletionSources.Add(c => Receives(c, argument) ? values.Select(v => new CompletionItem(v)) : []);

    /// <summary>File names from the shell (manifests, tarballs, profiles, the socket).</summary>
    public static void Files(Option option) => option.CompletionSources.Add(_ => [new CompletionItem("", FilesKind)]);

    public static void Files(Argument argument) =>
        argument.CompletionSources.Add(c => Receives(c, argument) ? [new CompletionItem("", FilesKind)] : []);

    /// <summary>Directory names from the shell (a root filesystem, a state directory).</summary>
    public static void Directories(Option option) => option.CompletionSources.Add(_ => [new CompletionItem("", DirectoriesKind)]);

    /// <summary>The names of the objects of one kind (<c>isles</c>, <c>networks</c>, <c>volumes</c>), with their phase; <paramref name="which"/> narrows them (running isles for exec).</summary>
    public static void Names(Argument argument, Option<string?> socket, string plural, Func<ObjectView, bool>? which = null) =>
        argument.CompletionSources.Add(c => Receives(c, argument) ? Objects(c, socket, plural, which) : []);

    public static void Names(Option option, Option<string?> socket, string plural) =>
        option.CompletionSources.Add(c => Objects(c, socket, plural, null));

    /// <summary>The names of the kind that <paramref name="kind"/> holds on the command line (<c>get KIND NAME</c>).</summary>
    public static void NamesOfKind(Argument name, Argument kind, Option<string?> socket) =>
        name.CompletionSources.Add(c => Receives(c, name) && Plural(Token(c, kind)) is { } plural ? Objects(c, socket, plural, null) : []);

    /// <summary>
    /// The labels (<c>key=value</c>) that the objects of the kinds <paramref name="plurals"/> gives for the command line
    /// have, for <c>-l</c> (the first requirement of a selector: <see cref="CompleteCommand"/> filters by the typed word,
    /// and the shells see <c>app=web,</c> as one word).
    /// </summary>
    public static void Labels(Option option, Option<string?> socket, Func<CompletionContext, IReadOnlyList<string>> plurals) =>
        option.CompletionSources.Add(c => Ask(c, socket, async (client, ct) =>
        {
            var labels = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var plural in plurals(c))
                foreach (var o in await client.ListAsync(plural, null, ct))
                    foreach (var (key, value) in o.Metadata.Labels ?? new Dictionary<string, string>())
                        labels.Add($"{key}={value}");
            return labels.Select(l => new CompletionItem(l));
        }));

    /// <summary>The kinds for <see cref="Labels"/> where a kind argument holds them (<c>get KIND -l</c>; all kinds before it is typed, or for <c>all</c>).</summary>
    public static IReadOnlyList<string> KindsOn(CompletionContext context, Argument kind) =>
        Token(context, kind) is { } typed && typed != "all" && Plural(typed) is { } plural ? [plural] : IslanderClient.Plurals;

    /// <summary>The images' names in the short form Docker prints and people type (<c>busybox:latest</c>), with their short id.</summary>
    public static void Images(Argument argument, Option<string?> socket, Func<CompletionContext, bool>? when = null) =>
        argument.CompletionSources.Add(c => Receives(c, argument) && (when?.Invoke(c) ?? true)
            ? Ask(c, socket, async (client, ct) => (await client.ListImagesAsync(ct))
                .SelectMany(i => i.Names.Select(n => new CompletionItem(Familiar(n), detail: ShortId(i.Id)))))
            : []);

    static string Familiar(string name) => ImageReference.TryParse(name, out var reference) ? reference.Familiar() : name;

    static string ShortId(string id) => id.StartsWith("sha256:", StringComparison.Ordinal) && id.Length >= 19 ? id[7..19] : id;

    /// <summary>The snapshots of the volume <paramref name="volume"/> holds on the command line (<c>volume restore NAME SNAPSHOT</c>).</summary>
    public static void Snapshots(Argument snapshot, Argument volume, Option<string?> socket) =>
        snapshot.CompletionSources.Add(c => Receives(c, snapshot) && Token(c, volume) is { } name
            ? Ask(c, socket, async (client, ct) => ((await client.GetAsync("volumes", name, ct)).Status.Snapshots ?? []).Select(s => new CompletionItem(s)))
            : []);

    /// <summary>The revisions of the isle <paramref name="isle"/> holds on the command line (<c>rollout undo NAME --to-revision N</c>), with their results.</summary>
    public static void Revisions(Option revision, Argument isle, Option<string?> socket) =>
        revision.CompletionSources.Add(c => Token(c, isle) is { } name
            ? Ask(c, socket, async (client, ct) => (await client.RolloutHistoryAsync(name, ct)).Items
                .Select(i => new CompletionItem(i.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture), detail: i.Result)))
            : []);

    /// <summary>
    /// Whether the word being completed goes to <paramref name="argument"/>: System.CommandLine asks every argument of
    /// the command, whatever its position, so <c>get isles </c> would offer the kinds again. The word is completed as a
    /// new one (<see cref="CompleteCommand"/> parses the words before it), so it goes to the first argument not yet full.
    /// </summary>
    internal static bool Receives(CompletionContext context, Argument argument)
    {
        var parse = context.ParseResult;
        foreach (var a in parse.CommandResult.Command.Arguments)
            if ((parse.GetResult(a)?.Tokens.Count ?? 0) < a.Arity.MaximumNumberOfValues)
                return ReferenceEquals(a, argument);
        return false;
    }

    /// <summary>The first word the command line gave <paramref name="argument"/>, if any.</summary>
    internal static string? Token(CompletionContext context, Argument argument) =>
        context.ParseResult.GetResult(argument)?.Tokens is [var first, ..] ? first.Value : null;

    static string? Plural(string? kind)
    {
        if (kind is null) return null;
        try { return IslanderClient.Plural(kind); }
        catch (ClientException) { return null; } // not a kind: nothing to name
    }

    static IEnumerable<CompletionItem> Objects(CompletionContext context, Option<string?> socket, string plural, Func<ObjectView, bool>? which) =>
        Ask(context, socket, async (client, ct) =>
        {
            var list = JsonSerializer.Deserialize(await client.GetRawAsync(plural, null, ct), ApiJson.Context.ObjectListView)!;
            return list.Items.Where(o => which?.Invoke(o) ?? true).Select(o => new CompletionItem(o.Metadata.Name, detail: o.Status.Phase));
        });

    /// <summary>Asks islanderd; nothing when it cannot answer (down, refused, slow, or a daemon of another version).</summary>
    static IEnumerable<CompletionItem> Ask(CompletionContext context, Option<string?> socket, Func<IslanderClient, CancellationToken, Task<IEnumerable<CompletionItem>>> query)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            using var client = new IslanderClient(IslanderClient.ResolveSocket(context.ParseResult.GetValue(socket)));
            // Completion sources are synchronous; islanderctl has no synchronization context to deadlock on.
            return query(client, timeout.Token).GetAwaiter().GetResult().ToList();
        }
        catch (Exception e) when (e is ClientException or HttpRequestException or IOException or OperationCanceledException or JsonException)
        {
            return [];
        }
    }
}
