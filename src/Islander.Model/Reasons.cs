namespace Islander.Model;

/// <summary>
/// The machine-readable reasons of an object's status (<c>status.reason</c>) and of the API's errors, as islanderd
/// writes them and islanderctl compares them: one set, so that a writer and a reader cannot spell one differently.
/// CamelCase, as Kubernetes' reasons.
/// </summary>
public static class Reasons
{
    // How an isle's process ended.
    public const string Completed = "Completed";
    public const string Error = "Error";
    public const string OomKilled = "OOMKilled";
    /// <summary>The process is gone without an exit status (its cgroup vanished).</summary>
    public const string Lost = "Lost";
    /// <summary>
    /// Its process ended while islanderd was down (a crash, a reboot): phase Unknown from islanderd's start until the
    /// isle's first pass applies its restart policy.
    /// </summary>
    public const string EndedWhileDown = "EndedWhileDown";
    public const string Stopped = "Stopped";
    /// <summary>Stopped by <c>islanderctl stop</c> (the API's stop): stays stopped, whatever its restart policy, until a start or a spec change.</summary>
    public const string StoppedByUser = "StoppedByUser";
    /// <summary>Frozen by <c>islanderctl pause</c> (the cgroup freezer) until <c>unpause</c>.</summary>
    public const string Paused = "Paused";
    public const string CrashLoopBackOff = "CrashLoopBackOff";
    /// <summary>Stopped by islander after its healthcheck failed retries times in a row, to be restarted by its policy.</summary>
    public const string Unhealthy = "Unhealthy";

    // Why a start failed.
    /// <summary>May pass next time: retried with back-off.</summary>
    public const string StartFailed = "StartFailed";
    /// <summary>Cannot pass without a change: kept in Error.</summary>
    public const string StartError = "StartError";
    public const string ImagePullFailed = "ImagePullFailed";
    public const string CommandNotFound = "CommandNotFound";
    public const string CommandNotExecutable = "CommandNotExecutable";
    public const string WorkingDirInvalid = "WorkingDirInvalid";

    // A spec edit applied to the running isle in place (IsleSpecRules' live fields), or refused by the kernel.
    public const string ResourcesUpdated = "ResourcesUpdated";
    public const string SpecUpdated = "SpecUpdated";
    public const string ResourcesUpdateFailed = "ResourcesUpdateFailed";
    // A config file's new content written where the isle sees it and its onChange signal sent, or the write failed.
    public const string ConfigFileUpdated = "ConfigFileUpdated";
    public const string ConfigFileUpdateFailed = "ConfigFileUpdateFailed";

    // Health-gated rollouts (spec.update).
    /// <summary>The new generation became healthy (or ran minHealthyTime) within healthTimeout.</summary>
    public const string RolloutComplete = "RolloutComplete";
    /// <summary>It did not, and rollback is off: it stays.</summary>
    public const string RolloutFailed = "RolloutFailed";
    /// <summary>It did not: stopped, volumes restored, the last good generation runs until the manifest changes.</summary>
    public const string RolledBack = "RolledBack";
    /// <summary>Why a rollout failed when the isle ran but never passed in time.</summary>
    public const string HealthTimeout = "HealthTimeout";

    // Why an isle is held back.
    public const string MissingReference = "MissingReference";
    public const string DependencyCycle = "DependencyCycle";
    public const string WaitingForDependencies = "WaitingForDependencies";
    public const string WaitingForVolume = "WaitingForVolume";

    // Manifests.
    public const string InvalidManifest = "InvalidManifest";
    public const string ManifestsUnavailable = "ManifestsUnavailable";

    // Networks and volumes.
    public const string InUse = "InUse";
    public const string DriverUnavailable = "DriverUnavailable";
    public const string VolumeError = "VolumeError";
    public const string DriverChangeRefused = "DriverChangeRefused";
    public const string Restoring = "Restoring";
}
