namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// An isle's processes as the kernel shows them: its cgroup's members, its inits (children of an <c>islander:shim</c>),
/// its shims. The truth the daemon tests check the API against (one init, one shim, one cgroup per isle).
/// </summary>
public static class IsleProcesses
{
    /// <summary>The isle's cgroup's processes (v2, or v1's pids/first hierarchy that has the group).</summary>
    public static List<int> CgroupProcs(string isle) =>
        DaemonHarness.CgroupDirs(Path.Combine("islander", isle)).Select(d => Path.Combine(d, "cgroup.procs")).SelectMany(ReadLines)
            .Where(l => l.Length > 0).Select(int.Parse).Distinct().Order().ToList();

    /// <summary>The processes of the isle's cgroup whose parent is an islander:shim: its inits.</summary>
    public static List<int> Inits(string isle) => CgroupProcs(isle).Where(p => Comm(ParentOf(p)) == "islander:shim").ToList();

    /// <summary>The islander:shim processes that have a child in the isle's cgroup.</summary>
    public static int Shims(string isle) => CgroupProcs(isle).Select(ParentOf).Where(p => Comm(p) == "islander:shim").Distinct().Count();

    public static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException) { return 0; }
    }

    public static string Comm(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n'); }
        catch (IOException) { return ""; }
    }

    /// <summary>A group being removed answers ENODEV (v1) or is gone: no processes.</summary>
    static string[] ReadLines(string file)
    {
        try { return File.ReadAllLines(file); }
        catch (IOException) { return []; }
    }
}
