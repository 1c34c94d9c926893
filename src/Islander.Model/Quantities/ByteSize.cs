using System.Globalization;

namespace Islander.Model;

/// <summary>
/// Byte counts for people, rounded, in binary units as <c>docker stats</c> prints them: 0B, 512B, 1.5KiB, 28.61MiB,
/// 1.95GiB. The one form of every size islanderd and islanderctl show approximately (stats, image and volume sizes,
/// limits in messages); a size from a spec is shown exactly, as <see cref="Quantity.FormatBytes"/> writes it (64Mi).
/// </summary>
public static class ByteSize
{
    private static readonly string[] Units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    public static string Format(long bytes)
    {
        if (bytes < 1024)
            return bytes.ToString(CultureInfo.InvariantCulture) + "B";
        double value = bytes / 1024.0;
        int unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString("0.##", CultureInfo.InvariantCulture) + Units[unit];
    }
}
