using Islander.Model.Api;
using Islander.Cli.Api;
using Islander.Model;

namespace Islander.Cli;

/// <summary>
/// One <c>islanderctl run</c> through islanderd: create the isle (never replacing one), wait until it has started,
/// then stream its log until it ends (or with -d, print its name), and turn its status into Docker's exit code.
/// Waiting is event-driven (<see cref="IsleWatch"/>); the log stream ends when the isle's run ends.
/// </summary>
sealed class IsleRun(IslanderClient client, string name, IsleSpec spec, TextWriter output, TextWriter error)
{
    const string Source = "islanderctl run";

    /// <param name="attach">With -i/-t: attached to the isle's PID 1 instead of following its log.</param>
    public async Task<int> RunAsync(bool remove, bool detach, CancellationToken ct, Commands.AttachStreams? attach = null)
    {
        if (remove && detach)
            return await FailAsync("--rm and -d together need islanderd to delete the isle when it ends, which it does not do yet; " +
                $"drop --rm and delete it later: islanderctl delete isle {name}");
        if (remove && spec.RestartPolicy != RestartPolicy.Never)
            return await FailAsync("--rm and --restart cannot be used together: an isle that is restarted does not end to be removed");

        var manifest = ManifestWriter.WriteJson(new IsleManifest(new ObjectMeta(name), spec, ManifestSource.None));
        try
        {
            // Not cancellable: a Ctrl-C in the middle would leave us not knowing whether the isle exists, and deleting
            // on a guess could delete another client's isle of that name. A create is one quick local request.
            await client.CreateAsync("isles", manifest, Source, CancellationToken.None);
        }
        catch (ClientException e) when (e.Reason == "AlreadyExists")
        {
            return await FailAsync($"{e.Message}: pick another name with --name, or delete that isle first (islanderctl delete isle {name})");
        }
        catch (ClientException e) when (e.Reason == Reasons.InvalidManifest)
        {
            // The daemon's checks found what the flags' own did not (a bad --name, say): name the fields, not the generated JSON's lines.
            foreach (var p in e.Problems) await error.WriteLineAsync($"error: {FlagOf(p.Field)}: {p.Message}");
            return e.Problems.Count > 0 ? RunExitCodes.IslanderFailed : await FailAsync(e.Message);
        }

        // Watched from after the create: the watch's first lines are the isle as it is by then (none: deleted already),
        // and every change after them comes as a line of its own.
        await using var watch = new IsleWatch(client, name);
        try
        {
            ct.ThrowIfCancellationRequested(); // interrupted while creating: stop it now (below)
            var started = (await watch.WaitAsync(i => i is null || HasStarted(i) || StartFailure(i) is not null, ct))
                ?? throw new ClientException($"isle {name} was deleted before it started", "NotFound");
            if (StartFailure(started) is var (exit, why, keep))
            {
                await error.WriteLineAsync($"error: isle {name} could not be started: {why}");
                if (remove || !keep) await DeleteAsync(watch, ct);
                if (!remove && !keep) await error.WriteLineAsync($"       isle {name} was deleted, so that islanderd does not start it later by itself");
                else if (!remove) await error.WriteLineAsync($"       it stays, as docker run leaves a container that failed to start: islanderctl describe isle {name}; islanderctl delete isle {name}");
                return exit;
            }
            if (detach)
            {
                await output.WriteLineAsync(name);
                return 0;
            }

            if (attach is not null && await AttachAsync(attach, watch, started, remove, ct) is { } attachedCode)
                return attachedCode;
            // The log stream ends when this run of the isle ends; its status may lag behind by one reconcile pass.
            await foreach (var entry in client.LogAsync(name, new IsleLogQuery(Follow: true), ct))
                await Commands.LogsCommand.WriteAsync(entry, entry.Stream == "stderr" ? error : output, timestamps: false, ct);
            return await EndedAsync(watch, started, remove, ct);
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or IOException or HttpRequestException)
        {
            // Ctrl-C or SIGTERM: stop the isle (there is no stop without delete yet) instead of leaving it running.
            try { await client.DeleteAsync("isles", name, CancellationToken.None); }
            catch (ClientException gone) when (gone.Reason == "NotFound") { } // interrupted while --rm was deleting it
            await error.WriteLineAsync($"islanderctl: interrupted: isle {name} is being stopped and deleted");
            return RunExitCodes.Interrupted;
        }
    }

    /// <summary>
    /// <c>run -i</c>/<c>-it</c>: attached to the isle's PID 1 until it ends (its code then, as without -i) or the detach
    /// keys (0: it runs on). Null when it ended before the attach: its log has all it wrote, and is streamed instead.
    /// </summary>
    async Task<int?> AttachAsync(Commands.AttachStreams attach, IsleWatch watch, ObjectView started, bool remove, CancellationToken ct)
    {
        Terminal.StreamEnd end;
        try
        {
            end = await attach.RunAsync(client.SocketPath, output, error, ct);
        }
        catch (ClientException e) when (e.Reason == "Conflict")
        {
            return null;
        }
        if (end.IsDetached)
        {
            await error.WriteLineAsync($"\r\nislanderctl: detached; isle {name} runs on (islanderctl attach {name} to come back" +
                (remove ? $"; it is not removed when it ends: islanderctl delete isle {name})" : ")"));
            return 0;
        }
        if (end.Exit is null)
            return await FailAsync($"lost the connection to islanderd; isle {name} runs on (islanderctl attach {name} to come back)");
        return await EndedAsync(watch, started, remove, ct);
    }

    /// <summary>
    /// The run has ended (its log or its attach did): its exit code as the daemon records it, which also says OOMKilled.
    /// With --rm the delete goes at once: its pass records the exit before it removes the isle, and the watch's DELETED
    /// line carries that last state. Without, the exit's own view is waited for (it may lag the log by one pass).
    /// </summary>
    async Task<int> EndedAsync(IsleWatch watch, ObjectView started, bool remove, CancellationToken ct)
    {
        if (remove)
        {
            await DeleteAsync(watch, ct);
            return await ExitCodeAsync(watch.Deleted is { } last && HasEnded(last, started.Status.StartedAt) ? last : null);
        }
        return await ExitCodeAsync(await watch.WaitAsync(i => i is null || HasEnded(i, started.Status.StartedAt), ct));
    }

    /// <summary>Its process has run (and may have ended already: a quick command).</summary>
    static bool HasStarted(ObjectView isle) =>
        isle.Status.Phase is "Running" or "Succeeded" or "Failed" || isle.Status.StartedAt is not null;

    /// <summary>
    /// Why the isle could not be started: exit code, message, and whether to keep the object. An isle that cannot
    /// start with this spec (phase Error) is kept, as Docker keeps a container that failed to start. One that would
    /// start later by itself (a start failure being retried, a network still missing) is deleted: a run that reported
    /// failure must not start behind the user's back.
    /// </summary>
    static (int Exit, string Why, bool Keep)? StartFailure(ObjectView isle)
    {
        var s = isle.Status;
        string why = $"{s.Reason}: {s.Message}";
        return s.Phase switch
        {
            "Error" when s.Problems is { Count: > 0 } => (RunExitCodes.IslanderFailed, string.Join("; ", s.Problems), true),
            "Error" => (s.Reason switch { Reasons.CommandNotFound => RunExitCodes.CommandNotFound, Reasons.CommandNotExecutable => RunExitCodes.CommandNotExecutable, _ => RunExitCodes.IslanderFailed }, why, true),
            "BackOff" when s.StartedAt is null => (RunExitCodes.IslanderFailed, why, false),
            "Pending" when s.Reason is Reasons.MissingReference => (RunExitCodes.IslanderFailed, why, false),
            _ => null,
        };
    }

    /// <summary>The run that started at <paramref name="startedAt"/> has ended (and the daemon has recorded it).</summary>
    static bool HasEnded(ObjectView isle, DateTimeOffset? startedAt) =>
        isle.Status.Phase is not ("Running" or "Pending" or "Creating") || isle.Status.StartedAt != startedAt || isle.Status.ExitCode is not null;

    async Task<int> ExitCodeAsync(ObjectView? isle)
    {
        if (isle is null or { Status.Phase: "Deleting" })
            return await FailAsync($"isle {name} was deleted while it ran (islanderctl delete, or another client)");
        var s = isle.Status;
        if (s.Reason == Reasons.OomKilled)
            await error.WriteLineAsync(OomMessage.For(name, s.ExitSignal, s.ExitCode, spec.Resources.Memory));
        if (s.ExitCode is { } code) return code;
        if (s.Reason == Reasons.Lost)
            return await FailAsync($"isle {name} ended without an exit status: {s.Message}");
        return await FailAsync($"isle {name} was restarted (restart policy) before its exit code could be read; see islanderctl describe isle {name}");
    }

    /// <summary>Deletes the isle and waits until the daemon has removed every trace of it (docker run --rm does too).</summary>
    async Task DeleteAsync(IsleWatch watch, CancellationToken ct)
    {
        try
        {
            await client.DeleteAsync("isles", name, ct);
        }
        catch (ClientException e) when (e.Reason == "NotFound") { }
        await watch.WaitAsync(i => i is null, ct);
    }

    async Task<int> FailAsync(string message)
    {
        await error.WriteLineAsync($"error: {message}");
        return RunExitCodes.IslanderFailed;
    }

    /// <summary>The flag behind a manifest field of the isle run generates, for the daemon's validation errors.</summary>
    static string FlagOf(string field) => field switch
    {
        "metadata.name" => "--name",
        "spec.image" => "IMAGE",
        "spec.hostname" => "--hostname",
        "spec.user" => "--user",
        "spec.workingDir" => "--workdir",
        _ when field.StartsWith("spec.env", StringComparison.Ordinal) => "--env",
        _ when field.StartsWith("spec.networks", StringComparison.Ordinal) => "--network",
        _ when field.StartsWith("spec.ports", StringComparison.Ordinal) => "--publish",
        _ when field.StartsWith("spec.volumes", StringComparison.Ordinal) => "--volume/--tmpfs",
        _ when field.StartsWith("spec.security.cap", StringComparison.Ordinal) => "--cap-add/--cap-drop",
        _ => field,
    };

}
