using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace Islander.Controller.Hosting;

/// <summary>
/// Log lines for the journal: each line starts with its syslog priority as sd-daemon(3) defines the prefixes
/// (<c>&lt;7&gt;</c> debug, <c>&lt;6&gt;</c> info, <c>&lt;4&gt;</c> warning, <c>&lt;3&gt;</c> error, <c>&lt;2&gt;</c>
/// critical), which journald strips and stores as PRIORITY, so <c>journalctl -p warning -u islanderd</c> shows the
/// warnings and errors. No timestamp: the journal records one. Every line of a message with an exception gets the
/// prefix, since journald makes each line an entry of its own.
/// </summary>
public sealed class JournalFormatter : ITextFormatter
{
    readonly MessageTemplateTextFormatter _inner = new("{Message:lj}{NewLine}{Exception}", System.Globalization.CultureInfo.InvariantCulture);

    public static string Prefix(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose or LogEventLevel.Debug => "<7>",
        LogEventLevel.Information => "<6>",
        LogEventLevel.Warning => "<4>",
        LogEventLevel.Error => "<3>",
        _ => "<2>",
    };

    public void Format(LogEvent logEvent, TextWriter output)
    {
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        _inner.Format(logEvent, text);
        var prefix = Prefix(logEvent.Level);
        foreach (var line in text.ToString().Split('\n'))
            if (line.Length > 0)
            {
                output.Write(prefix);
                output.Write(line.TrimEnd('\r'));
                output.Write('\n');
            }
    }
}
