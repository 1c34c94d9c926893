namespace Islander.Model;

internal static partial class IsleSpecReader
{
    private static readonly string[] UpdateFields = ["healthTimeout", "rollback", "snapshotVolumes", "minHealthyTime"];

    /// <summary><c>update: {healthTimeout: 60s, rollback: true, snapshotVolumes: true, minHealthyTime: 10s}</c>; null when the spec has none.</summary>
    private static IsleUpdate? ReadUpdate(Fields spec)
    {
        if (spec.Object("update", UpdateFields) is not { } f) return null;
        var timeout = ReadDuration(f, "healthTimeout");
        if (timeout is { } t && t < TimeSpan.FromSeconds(1))
            f.Error("healthTimeout", $"{ManifestWriter.Seconds(t)} is too short; give the new generation at least 1s to become healthy (e.g. 60s)");
        var minHealthy = ReadDuration(f, "minHealthyTime");
        var healthTimeout = timeout is { } ht && ht >= TimeSpan.FromSeconds(1) ? ht : IsleUpdate.DefaultHealthTimeout;
        if (minHealthy is { } m && m >= healthTimeout)
            f.Error("minHealthyTime", $"{ManifestWriter.Seconds(m)} is not shorter than healthTimeout ({ManifestWriter.Seconds(healthTimeout)}), so no generation could pass; make it shorter or raise healthTimeout");
        return new IsleUpdate
        {
            HealthTimeout = healthTimeout,
            Rollback = f.Bool("rollback") ?? true,
            SnapshotVolumes = f.Bool("snapshotVolumes") ?? false,
            // Unset under a short healthTimeout: half of it, so that a generation can pass at all.
            MinHealthyTime = minHealthy is { } mh && mh < healthTimeout ? mh
                : IsleUpdate.DefaultMinHealthyTime < healthTimeout ? IsleUpdate.DefaultMinHealthyTime : healthTimeout / 2,
        };
    }
}
