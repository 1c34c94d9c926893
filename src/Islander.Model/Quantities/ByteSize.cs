using System.Globalization;

namespace Islander.Cli.Commands;

/// <summary>Byte counts for people, in binary units as docker stats prints memory: 0B, 512B, 1.5KiB, 28.62MiB, 1.95GiB.</summary>
public static class ByteSize
{
    static readonly string[] Units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

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
