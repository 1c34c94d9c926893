using Islander.Model;

namespace Islander.Controller.Volumes;

/// <summary>What a restore did to the isles using the volume: stopped them; the reconciler starts them again by their restartPolicy.</summary>
public sealed record RestoreResult(IReadOnlyList<string> Stopped, IReadOnlyDictionary<string, RestartPolicy> Policies)
{
    /// <summary>Stopped isles with restartPolicy Always: started again at once.</summary>
    public IReadOnlyList<string> Restarted => Stopped.Where(i => Policies.GetValueOrDefault(i) == RestartPolicy.Always).ToList();

    /// <summary>What happens to the others, for people; empty when every stopped isle restarts.</summary>
    public string Note => string.Join("; ", Stopped.Where(i => !Restarted.Contains(i)).Select(i => Policies.GetValueOrDefault(i) == RestartPolicy.OnFailure
        ? $"isle {i} (restartPolicy OnFailure) was stopped and starts again only if it ended with an error"
        : $"isle {i} (restartPolicy Never) was stopped and stays stopped"));
}
