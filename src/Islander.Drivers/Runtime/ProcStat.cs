using System.Globalization;

namespace Islander.Drivers.Runtime;

/// <summary>Reads /proc/PID/stat lines (proc(5)); pure but for <see cref="Read"/>.</summary>
public static class ProcStat
{
    /// <summary>The /proc/PID/stat line of <paramref name="pid"/>; null once it has ended (and been reaped).</summary>
    public static string? Read(int pid) =>
        Interop.FileDescriptorInterop.ReadSmallText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");

    /// <summary>Field 2, comm: the name the process gave itself (PR_SET_NAME) or its executable's. Null when malformed.</summary>
    public static string? Comm(string stat)
    {
        int open = stat.IndexOf('('), close = stat.LastIndexOf(')');
        return open >= 0 && close > open ? stat[(open + 1)..close] : null;
    }

    /// <summary>Field 3, state: R, S, D, Z (zombie), X (dead), ... Null when the line is malformed.</summary>
    public static char? State(string stat)
    {
        int close = stat.LastIndexOf(')');
        return close >= 0 && close + 2 < stat.Length && stat[close + 1] == ' ' ? stat[close + 2] : null;
    }

    /// <summary>
    /// Whether the process has ended: a zombie (Z) or dead (X) whose parent has not reaped it yet. Its files are closed
    /// by then (exit_files comes before exit_notify in do_exit), so it writes nothing more.
    /// </summary>
    public static bool Ended(string stat) => State(stat) is 'Z' or 'X';

    /// <summary>Field 4, ppid. Null when the line is malformed.</summary>
    public static int? ParentPid(string stat)
    {
        int close = stat.LastIndexOf(')');
        if (close < 0)
            return null;
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? p : null;
    }

    /// <summary>Field 22, starttime: clock ticks after boot. Null when the line is malformed.</summary>
    public static ulong? StartTime(string stat)
    {
        // comm (field 2) is in parentheses and may hold spaces and ')': split after the last ')'.
        int close = stat.LastIndexOf(')');
        if (close < 0)
            return null;
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        const int index = 22 - 3; // fields[0] is field 3 (state)
        return fields.Length > index && ulong.TryParse(fields[index], NumberStyles.None, CultureInfo.InvariantCulture, out ulong t)
            ? t
            : null;
    }
}
