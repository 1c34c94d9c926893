using System.Globalization;

namespace Islander.Drivers.Runtime;

/// <summary>
/// How an isle's init ended, as the shim records it in the status file
/// (<see cref="InitConfig.StatusPath"/>): <c>key=value</c> lines <c>exitCode</c>, <c>signal</c>,
/// <c>oomKilled</c> (0|1), <c>startedAt</c> and <c>finishedAt</c> (unix ms). The shim writes it
/// only for an isle whose execve succeeded; a startedAt of 0 or none reads as null. Unknown keys
/// are ignored, so the shim may add some. <c>oomKilled</c> is Docker's State.OOMKilled: the OOM killer killed some process
/// of the isle during the run, not necessarily init, so it comes with init's own exit code or signal (a shell whose
/// child was killed exits 137, or as it chooses).
/// </summary>
public sealed record IsleExitStatus(int ExitCode, int Signal, bool OomKilled, DateTimeOffset? StartedAt, DateTimeOffset FinishedAt)
{
    /// <summary>Docker's code: the exit code, or 128 + signal when a signal ended the isle.</summary>
    public int Code => Signal != 0 ? 128 + Signal : ExitCode;

    /// <exception cref="FormatException">A required key is missing or not a number.</exception>
    public static IsleExitStatus Parse(string text)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            int eq = line.IndexOf('=');
            if (eq <= 0)
                continue;
            if (!long.TryParse(line[(eq + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
                throw new FormatException($"isle status: \"{line}\" is not key=number");
            values[line[..eq]] = v;
        }
        long Get(string key) => values.TryGetValue(key, out long v) ? v : throw new FormatException($"isle status: no {key}");

        long started = values.GetValueOrDefault("startedAt");
        return new IsleExitStatus(
            ExitCode: (int)Get("exitCode"),
            Signal: (int)Get("signal"),
            OomKilled: values.GetValueOrDefault("oomKilled") != 0,
            StartedAt: started > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(started) : null,
            FinishedAt: DateTimeOffset.FromUnixTimeMilliseconds(Get("finishedAt")));
    }
}
