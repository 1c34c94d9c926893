using System.Reflection;

namespace Islander.Controller.Hosting;

/// <summary>islanderd's version: the assembly's informational version (Directory.Build.props' Version, plus the commit).</summary>
public static class DaemonVersion
{
    public static string Current { get; } =
        typeof(DaemonVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
