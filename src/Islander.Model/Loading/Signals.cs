using System.Globalization;

namespace Islander.Model;

/// <summary>Linux signal names and numbers (x86-64/arm64 numbering, signal(7)).</summary>
public static class Signals
{
    private static readonly string[] Names =
    [
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM",
        "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF",
        "WINCH", "IO", "PWR", "SYS",
    ];

    private const int RtMin = 34; // glibc's SIGRTMIN (the kernel's 32 and 33 are taken by NPTL)
    private const int RtMax = 64;

    public const string Forms = "use a name such as SIGTERM, TERM or SIGRTMIN+3, or a number from 1 to 64";

    /// <summary>Parses <c>SIGTERM</c>, <c>TERM</c>, <c>sigterm</c>, <c>15</c>, <c>SIGRTMIN+3</c>, <c>RTMAX-1</c>.</summary>
    public static bool TryParse(string text, out int number)
    {
        number = 0;
        var s = text.Trim().ToUpperInvariant();
        if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out number)) return number is >= 1 and <= RtMax;
        if (s.StartsWith("SIG", StringComparison.Ordinal)) s = s[3..];
        if (s == "IOT") s = "ABRT";
        if (s == "POLL") s = "IO";
        var index = Array.IndexOf(Names, s);
        if (index > 0)
        {
            number = index;
            return true;
        }
        if (s.StartsWith("RTMIN", StringComparison.Ordinal) || s.StartsWith("RTMAX", StringComparison.Ordinal))
        {
            var min = s.StartsWith("RTMIN", StringComparison.Ordinal);
            var rest = s[5..];
            var offset = 0;
            if (rest.Length > 0 && (rest[0] != (min ? '+' : '-')
                || !int.TryParse(rest[1..], NumberStyles.None, CultureInfo.InvariantCulture, out offset)))
            {
                return false;
            }
            number = min ? RtMin + offset : RtMax - offset;
            return number is >= RtMin and <= RtMax;
        }
        return false;
    }

    /// <summary>Every name <see cref="TryParse"/> takes, for an error that lists them: SIGHUP ... SIGSYS, SIGRTMIN, SIGRTMIN+N, SIGRTMAX-N.</summary>
    public static IReadOnlyList<string> Known { get; } = [.. Names.Skip(1).Select(n => "SIG" + n), "SIGRTMIN", "SIGRTMIN+N", "SIGRTMAX-N"];

    /// <summary>The conventional name (<c>SIGTERM</c>, <c>SIGRTMIN+3</c>) of a signal number.</summary>
    public static string Name(int number) =>
        number > 0 && number < Names.Length ? "SIG" + Names[number]
        : number is >= RtMin and <= RtMax ? (number == RtMin ? "SIGRTMIN" : $"SIGRTMIN+{number - RtMin}")
        : number.ToString(CultureInfo.InvariantCulture);
}
