namespace Islander.Model;

/// <summary>Orders names so that each comes after the names it depends on (Kahn's algorithm, ties by name).</summary>
public static class DependencyOrder
{
    /// <summary>
    /// Why <paramref name="name"/> is held back by a dependsOn cycle (it is on one, or depends on an isle that is), or
    /// null. The same answer and message as <see cref="Sort"/> over every isle, but it only visits what
    /// <paramref name="name"/> reaches through dependsOn, so the controller can ask for one isle per pass.
    /// </summary>
    /// <param name="dependsOn">Dependencies of a defined isle; empty for a name that is not defined.</param>
    public static string? Problem(string name, Func<string, IEnumerable<string>> dependsOn)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal) { name };
        var queue = new Queue<string>([name]);
        while (queue.TryDequeue(out var next))
        {
            foreach (var dep in dependsOn(next))
            {
                if (reached.Add(dep)) queue.Enqueue(dep);
            }
        }
        Sort(reached, dependsOn, out var blocked);
        return blocked.GetValueOrDefault(name);
    }

    /// <param name="nodes">Names to order.</param>
    /// <param name="dependsOn">Dependencies of a name; those outside <paramref name="nodes"/> are ignored.</param>
    /// <param name="cycles">Names left out because they are on a cycle or wait for one; each with a reason.</param>
    public static IReadOnlyList<string> Sort(
        IEnumerable<string> nodes, Func<string, IEnumerable<string>> dependsOn, out IReadOnlyDictionary<string, string> cycles)
    {
        var set = new SortedSet<string>(nodes, StringComparer.Ordinal);
        var deps = set.ToDictionary(n => n, n => dependsOn(n).Where(set.Contains).Distinct().ToList());
        var remaining = deps.ToDictionary(kv => kv.Key, kv => kv.Value.Count);
        var dependents = set.ToDictionary(n => n, _ => new List<string>());
        foreach (var (node, list) in deps)
        {
            foreach (var dep in list) dependents[dep].Add(node);
        }

        var ready = new SortedSet<string>(set.Where(n => remaining[n] == 0), StringComparer.Ordinal);
        var order = new List<string>();
        while (ready.Count > 0)
        {
            var next = ready.Min!;
            ready.Remove(next);
            order.Add(next);
            foreach (var dependent in dependents[next])
            {
                if (--remaining[dependent] == 0) ready.Add(dependent);
            }
        }

        var blocked = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in set.Where(n => remaining[n] > 0))
        {
            blocked[node] = FindCycle(node, deps, remaining) is { } cycle
                ? $"dependsOn forms a cycle: {string.Join(" -> ", cycle)}; remove one of these dependencies"
                : $"depends on {string.Join(", ", deps[node].Where(d => remaining[d] > 0))}, which {(deps[node].Count(d => remaining[d] > 0) == 1 ? "is" : "are")} held back by a dependsOn cycle";
        }
        cycles = blocked;
        return order;
    }

    /// <summary>A cycle through <paramref name="start"/> (start → … → start), or null when it only leads into one.</summary>
    private static List<string>? FindCycle(string start, Dictionary<string, List<string>> deps, Dictionary<string, int> remaining)
    {
        var path = new List<string> { start };
        var visited = new HashSet<string>(StringComparer.Ordinal);
        return Walk(start);

        List<string>? Walk(string node)
        {
            foreach (var dep in deps[node].Where(d => remaining[d] > 0).Order(StringComparer.Ordinal))
            {
                if (dep == start) return [.. path, start];
                if (!visited.Add(dep)) continue;
                path.Add(dep);
                if (Walk(dep) is { } found) return found;
                path.RemoveAt(path.Count - 1);
            }
            return null;
        }
    }
}
