using System.Runtime;

namespace Islander.Controller.Hosting;

/// <summary>
/// The .NET runtime settings islanderd runs with, as the process sees them: the memory settings of its build
/// (Islander.Controller.csproj, written into islanderd.runtimeconfig.json and into the package's single file; the
/// reasons in the controller's README, "Memory") or an environment variable that overrides them. /metrics reports
/// them (<c>islander_dotnet_runtime_info</c>), so a build or a unit that lost one shows it.
/// </summary>
public static class RuntimeSettings
{
    /// <summary>"server" or "workstation".</summary>
    public static string Gc => GCSettings.IsServerGC ? "server" : "workstation";

    /// <summary>
    /// Whether background (concurrent) collections are on. A workstation GC without them runs in the Batch latency
    /// mode; with them, Interactive.
    /// </summary>
    public static bool GcConcurrent => GCSettings.LatencyMode != GCLatencyMode.Batch;

    /// <summary>
    /// Whether tiered compilation is on: the runtime reads <c>DOTNET_TieredCompilation</c> (or the older
    /// <c>COMPlus_</c> name) before the runtimeconfig property, and defaults to on.
    /// </summary>
    public static bool TieredCompilation =>
        Switch("TieredCompilation", "System.Runtime.TieredCompilation") ?? true;

    /// <summary>
    /// Whether no code is ever writable and executable at once. NativeAOT (the package) compiles no code at run time,
    /// so it holds there. With the JIT, code is written through one mapping and run through another: the runtime then
    /// makes its executable memory from a memfd named "doublemapper", which /proc/self/maps lists.
    /// </summary>
    public static bool WriteXorExecute { get; } = !System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeCompiled
        || File.ReadLines("/proc/self/maps").Any(l => l.Contains("doublemapper", StringComparison.Ordinal));

    /// <summary>A CLR knob: its environment variable if set, else the runtimeconfig property, else null (the default).</summary>
    static bool? Switch(string knob, string property)
    {
        var env = Environment.GetEnvironmentVariable("DOTNET_" + knob) ?? Environment.GetEnvironmentVariable("COMPlus_" + knob);
        if (env is not null) return env.Trim() != "0";
        return AppContext.GetData(property) switch
        {
            bool b => b,
            string s when bool.TryParse(s, out var b) => b,
            _ => null,
        };
    }
}
