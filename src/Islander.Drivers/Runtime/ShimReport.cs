using System.Globalization;

namespace Islander.Drivers.Runtime;

/// <summary>
/// One line isle-init writes on its report fd (fd 4): <c>PID &lt;init&gt; &lt;shim&gt;</c>, then
/// <c>STARTED</c> or <c>ERROR &lt;op&gt;\t&lt;path&gt;\t&lt;errno&gt;</c>, in exec mode then <c>EXIT &lt;code&gt; &lt;signal&gt;</c>. Pure parsing, see
/// REPORT_* in native/isle-init.c.
/// </summary>
public abstract record ShimReport
{
    /// <summary>init was cloned: its host pid and the shim's pid.</summary>
    public sealed record Pid(int InitPid, int ShimPid) : ShimReport;

    /// <summary>execve of the isle's command succeeded.</summary>
    public sealed record Started : ShimReport;

    /// <summary>A step failed; <see cref="Path"/> is null when the step has none.</summary>
    public sealed record Error(string Op, string? Path, int Errno) : ShimReport;

    /// <summary>Exec mode: the process ended with this exit code, or was killed by this signal (0: none).</summary>
    public sealed record Exited(int Code, int Signal) : ShimReport;

    /// <exception cref="FormatException">The line is none of the above.</exception>
    public static ShimReport Parse(string line)
    {
        if (line == "STARTED")
            return new Started();
        if (line.StartsWith("PID ", StringComparison.Ordinal))
        {
            var parts = line[4..].Split(' ');
            if (parts.Length == 2 && TryPid(parts[0], out int init) && TryPid(parts[1], out int shim))
                return new Pid(init, shim);
        }
        else if (line.StartsWith("EXIT ", StringComparison.Ordinal))
        {
            var parts = line[5..].Split(' ');
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int code)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int signal))
                return new Exited(code, signal);
        }
        else if (line.StartsWith("ERROR ", StringComparison.Ordinal))
        {
            // op has no tab; errno is after the last tab; the path (which may hold tabs) is between.
            var body = line[6..];
            int first = body.IndexOf('\t'), last = body.LastIndexOf('\t');
            if (first > 0 && last > first && int.TryParse(body[(last + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int errno))
            {
                var path = body[(first + 1)..last];
                return new Error(body[..first], path.Length == 0 ? null : path, errno);
            }
        }
        throw new FormatException($"isle-init report: unexpected line \"{line}\"");
    }

    static bool TryPid(string s, out int pid) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out pid) && pid > 0;
}
