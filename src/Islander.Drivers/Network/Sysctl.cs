namespace Islander.Drivers.Network;

/// <summary>
/// Writes net sysctls under /proc/sys from inside a network namespace: /proc/sys/net shows the
/// namespace of the thread that opens it, so the write runs through <see cref="NetworkNamespace.Run{T}"/>.
/// </summary>
public sealed class Sysctl(NetworkNamespace ns, string procSys = "/proc/sys")
{
    /// <summary>Equivalent to: sysctl -w {key}={value} (key in path form, e.g. net/ipv4/ip_forward). Skips the write when already set.</summary>
    public void Set(string key, string value) => ns.Run(() =>
    {
        string path = Path.Combine(procSys, key);
        try
        {
            if (File.ReadAllText(path).Trim() == value)
                return;
            File.WriteAllText(path, value);
        }
        catch (IOException e)
        {
            throw new NetworkException($"sysctl {key}={value}: {e.Message}", Model.ErrorCategory.Unknown, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new NetworkException($"sysctl {key}={value}: {e.Message} (needs root)", Model.ErrorCategory.Unknown, e);
        }
    });

    public string Get(string key) => ns.Run(() => File.ReadAllText(Path.Combine(procSys, key)).Trim());
}
