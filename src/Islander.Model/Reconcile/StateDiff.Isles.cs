namespace Islander.Model;

public static partial class StateDiff
{
    /// <summary>Start, recreate or restart desired isles, in dependsOn order.</summary>
    private static List<PlanAction> IsleActions(
        IReadOnlyList<string> order,
        Dictionary<string, IsleManifest> desired,
        Dictionary<string, ActualIsle> actual,
        Dictionary<string, List<string>> blocked,
        IReadOnlySet<string> recreatedNetworks)
    {
        var actions = new List<PlanAction>();
        foreach (var name in order)
        {
            if (blocked.ContainsKey(name)) continue;
            var spec = desired[name].Spec;
            var hash = SpecHash.Of(spec);
            if (!actual.TryGetValue(name, out var current))
            {
                actions.Add(new StartIsle(name, spec, hash, StartReason.New));
                continue;
            }
            if (current.SpecHash != hash)
            {
                actions.Add(new RecreateIsle(name, spec, hash, "spec changed"));
                continue;
            }
            var changed = current.Networks.Where(recreatedNetworks.Contains).Order(StringComparer.Ordinal).ToList();
            if (changed.Count > 0)
            {
                actions.Add(new RecreateIsle(name, spec, hash, $"network {string.Join(", ", changed)} was recreated"));
                continue;
            }
            if (ForPhase(name, spec, hash, current) is { } action) actions.Add(action);
        }
        return actions;
    }

    /// <summary>What an isle whose spec is unchanged needs, given its phase and whether its process is alive.</summary>
    private static PlanAction? ForPhase(string name, IsleSpec spec, string hash, ActualIsle current)
    {
        switch (current.Phase)
        {
            case IslePhase.Pending or IslePhase.Creating:
                return new StartIsle(name, spec, hash, StartReason.Resume);
            case IslePhase.Error:
                return new StartIsle(name, spec, hash, StartReason.RetryAfterError);
            case IslePhase.Stopped:
                return null; // stopped on purpose: restart policies do not apply (Docker's rule)
            case IslePhase.Running when current.ProcessAlive:
                return null;
            default:
                // Succeeded, Failed, or Running with a dead process (it ended and the exit was not recorded, e.g.
                // after a reboot: counted as a failure, its code unknown).
                var failed = current.Phase != IslePhase.Succeeded;
                var due = spec.RestartPolicy switch
                {
                    RestartPolicy.Always => true,
                    RestartPolicy.OnFailure => failed,
                    _ => false,
                };
                var code = current.Phase == IslePhase.Running ? null : current.ExitCode;
                return due ? new RestartIsle(name, spec, hash, spec.RestartPolicy, code) : null;
        }
    }
}
