namespace Islander.Model.Tests.Reconcile;

public class DependencyOrderTests
{
    private static IReadOnlyList<string> Sort(Dictionary<string, string[]> graph, out IReadOnlyDictionary<string, string> blocked) =>
        DependencyOrder.Sort(graph.Keys, n => graph[n], out blocked);

    [Fact]
    public void Sort_NoDependencies_ByName()
    {
        Assert.Equal(["a", "b", "c"], Sort(new() { ["c"] = [], ["a"] = [], ["b"] = [] }, out var blocked));
        Assert.Empty(blocked);
    }

    [Fact]
    public void Sort_DependencyOutsideSet_Ignored() =>
        Assert.Equal(["a"], Sort(new() { ["a"] = ["elsewhere"] }, out _));

    [Fact]
    public void Sort_Diamond_EachAfterItsDependencies() =>
        Assert.Equal(["d", "b", "c", "a"], Sort(new() { ["a"] = ["b", "c"], ["b"] = ["d"], ["c"] = ["d"], ["d"] = [] }, out _));

    [Fact]
    public void Sort_LongCycle_ReportsThePath()
    {
        var order = Sort(new() { ["a"] = ["b"], ["b"] = ["c"], ["c"] = ["a"], ["x"] = [] }, out var blocked);

        Assert.Equal(["x"], order);
        Assert.Equal("dependsOn forms a cycle: a → b → c → a; remove one of these dependencies", blocked["a"]);
        Assert.Equal(3, blocked.Count);
    }
}
