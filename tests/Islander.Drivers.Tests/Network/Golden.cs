using System.Globalization;
using System.Runtime.CompilerServices;

namespace Islander.Drivers.Tests.Network;

/// <summary>Golden files next to the tests (tests/Islander.Drivers.Tests/Network/testdata), found from this source file's path.</summary>
internal static class Golden
{
    public static string Dir([CallerFilePath] string thisFile = "") => Path.Combine(Path.GetDirectoryName(thisFile)!, "testdata");

    public static string Path_(string relative) => Path.Combine(Dir(), relative);

    public static string Text(string relative) => File.ReadAllText(Path_(relative));

    /// <summary>A .hex file: '#' comment lines, then hex bytes separated by whitespace.</summary>
    public static byte[] Hex(string relative) =>
        File.ReadAllLines(Path_(relative))
            .Where(l => !l.TrimStart().StartsWith('#'))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(h => byte.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture))
            .ToArray();

    /// <summary>Writes the actual text when ISLANDER_UPDATE_GOLDEN=1, then compares.</summary>
    public static void AssertText(string relative, string actual)
    {
        if (Environment.GetEnvironmentVariable("ISLANDER_UPDATE_GOLDEN") == "1")
            File.WriteAllText(Path_(relative), actual);
        Assert.Equal(Text(relative), actual);
    }
}
