namespace Islander.Model;

public static partial class StateDiff
{
    /// <summary>
    /// What to do with one desired isle: the per-isle rule <see cref="Diff"/> applies to every isle, and the one the
    /// controller's per-key pass applies to the isle it reconciles.
    /// </summary>
    /// <param name="name">The isle's name.</param>
    /// <param name="spec">Its desired spec.</param>
    /// <param name="specHash"><see cref="SpecHash.Of(IsleSpec)"/> of <paramref name="spec"/> (callers usually have it cached).</param>
    /// <param name="actual">What exists of it, checked against the kernel; null when nothing does.</param>
    /// <param name="problems">
    /// Why it is held back, from <see cref="DesiredStateCheck"/> and <see cref="DependencyOrder"/>: with any, no action
    /// is taken and <see cref="IsleDecision.HeldBack"/> says which one would have been.
    /// </param>
    public static IsleDecision ForIsle(string name, IsleSpec spec, string specHash, ActualIsle? actual, IReadOnlyList<string> problems)
    {
        var action = Wanted(name, spec, specHash, actual);
        return problems.Count == 0
            ? action is null ? IsleDecision.Nothing : new IsleDecision(action, [])
            : new IsleDecision(null, problems) { HeldBack = action };
    }

    /// <summary>
    /// The restart policy: whether an isle that ended (<see cref="IslePhase.Succeeded"/> or <see cref="IslePhase.Failed"/>)
    /// runs again. <c>Always</c> restarts after exit 0 too; <c>OnFailure</c> after a non-zero exit, a signal, an OOM kill
    /// or a vanished process; <c>Never</c> does not (Docker's and Kubernetes' meaning).
    /// </summary>
    public static bool RestartDue(RestartPolicy policy, IslePhase ended) => policy switch
    {
        RestartPolicy.Always => true,
        RestartPolicy.OnFailure => ended != IslePhase.Succeeded,
        _ => false,
    };

    /// <summary>Start, update, recreate or restart desired isles, in dependsOn order.</summary>
    private static List<PlanAction> IsleActions(
        IReadOnlyList<string> order,
        Dictionary<string, IsleManifest> desired,
        Dictionary<string, ActualIsle> actual,
        Dictionary<string, List<string>> blocked)
    {
        var actions = new List<PlanAction>();
        foreach (var name in order)
        {
            var spec = desired[name].Spec;
            var decision = ForIsle(name, spec, SpecHash.Of(spec), actual.GetValueOrDefault(name),
                blocked.GetValueOrDefault(name) ?? []);
            if (decision.Action is { } action) actions.Add(action);
        }
        return actions;
    }

    /// <summary>What the isle needs, problems aside.</summary>
    private static PlanAction? Wanted(string name, IsleSpec spec, string hash, ActualIsle? current)
    {
        if (current is null) return new StartIsle(name, spec, hash, StartReason.New);
        if (current.SpecHash != hash) return ForEdit(name, spec, hash, current);
        return ForPhase(name, spec, hash, current);
    }

    /// <summary>
    /// The spec changed: what <see cref="IsleSpecRules"/> says its changed fields take. Live changes are made in place
    /// only while the isle's process runs; an isle that does not run is started with the new spec, as before.
    /// </summary>
    private static PlanAction ForEdit(string name, IsleSpec spec, string hash, ActualIsle current)
    {
        var changes = current.Spec is { } running ? IsleSpecRules.Changes(running, spec) : [];
        var kind = IsleSpecRules.Needs(changes);
        if (kind == SpecChangeKind.Live && current.Phase is IslePhase.Running or IslePhase.Paused && current.ProcessAlive)
            return new UpdateIsle(name, spec, hash, changes);
        return new RecreateIsle(name, spec, hash, "spec changed")
        {
            Kind = kind == SpecChangeKind.Live ? SpecChangeKind.Restart : kind,
            Changes = changes,
        };
    }

    /// <summary>What an isle whose spec is unchanged needs, given its phase and whether its process is alive.</summary>
    private static PlanAction? ForPhase(string name, IsleSpec spec, string hash, ActualIsle current)
    {
        switch (current.Phase)
        {
            case IslePhase.Pending or IslePhase.Creating:
                return new StartIsle(name, spec, hash, StartReason.Resume);
            case IslePhase.BackOff:
                return new StartIsle(name, spec, hash, StartReason.AfterBackOff);
            case IslePhase.Error:
                return null; // the runtime refused this spec: only a new spec (a recreate) can help
            case IslePhase.Stopped:
                return null; // stopped by the user: restart policies do not apply until a start or a spec change
            case IslePhase.Running or IslePhase.Paused when current.ProcessAlive:
                return null; // a paused isle is alive, only frozen: nothing to restart

            default:
                // Succeeded, Failed, or Running (or Paused) with a dead process (it ended and the exit was not recorded, e.g.
                // after a reboot: counted as a failure, its code unknown).
                var ended = current.Phase == IslePhase.Succeeded ? IslePhase.Succeeded : IslePhase.Failed;
                var code = current.Phase is IslePhase.Running or IslePhase.Paused ? null : current.ExitCode;
                return RestartDue(spec.RestartPolicy, ended) ? new RestartIsle(name, spec, hash, spec.RestartPolicy, code) : null;
        }
    }
}
