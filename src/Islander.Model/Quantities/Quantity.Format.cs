using System.Globalization;

namespace Islander.Model;

public static partial class Quantity
{
    private static readonly (string Suffix, long Factor)[] BinarySuffixes =
        [("Ei", 1L << 60), ("Pi", 1L << 50), ("Ti", 1L << 40), ("Gi", 1L << 30), ("Mi", 1L << 20), ("Ki", 1L << 10)];

    /// <summary>
    /// The shortest exact Kubernetes form of a byte size: <c>64Mi</c> when it is a whole number of a binary unit,
    /// else plain bytes. Its output parses back to the same value.
    /// </summary>
    public static string FormatBytes(long bytes)
    {
        if (bytes != 0)
        {
            foreach (var (suffix, factor) in BinarySuffixes)
            {
                if (bytes % factor == 0) return (bytes / factor).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }
        return bytes.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Millicores in the form Kubernetes prints: whole CPUs as <c>2</c>, others as <c>500m</c>.</summary>
    public static string FormatCpuMillis(long millis) =>
        millis % 1000 == 0
            ? (millis / 1000).ToString(CultureInfo.InvariantCulture)
            : millis.ToString(CultureInfo.InvariantCulture) + "m";
}
