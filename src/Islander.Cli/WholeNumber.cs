using System.CommandLine.Parsing;
using System.Globalization;
using Islander.Model;

namespace Islander.Cli;

/// <summary>
/// Whole-number flags: a value that is not one, or too big for it, names the flag and what it takes, where
/// System.CommandLine's own message names a .NET type ("as expected type 'System.Int32'").
/// </summary>
static class WholeNumber
{
    /// <param name="takes">What the flag takes, e.g. "a whole number of seconds (e.g. 10)".</param>
    public static Func<ArgumentResult, long?> Parser(string flag, string takes, long min = long.MinValue, long max = long.MaxValue) => result =>
    {
        string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) && value >= min && value <= max)
            return value;
        result.AddError($"{flag} takes {takes}, not \"{ManifestLimits.Excerpt(text, 40)}\"");
        return null;
    };
}
