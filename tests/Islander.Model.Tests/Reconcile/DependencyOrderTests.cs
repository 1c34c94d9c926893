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
        Assert.Equal("dependsOn forms a cycle: a -> b -> c -> a; remove one of these dependencies", blocked["a"]);
        Assert.Equal(3, blocked.Count);
    }

    [Fact]
    public void Problem_PerIsle_SameAnswersAsSortOverEveryIsle()
    {
        var graph = new Dictionary<string, string[]> { ["a"] = ["b"], ["b"] = ["a"], ["c"] = ["a", "d"], ["d"] = ["ghost"], ["e"] = ["c"] };
        IEnumerable<string> DependsOn(string n) => graph.GetValueOrDefault(n) ?? [];
        Sort(graph, out var blocked);

        foreach (var name in graph.Keys) Assert.Equal(blocked.GetValueOrDefault(name), DependencyOrder.Problem(name, DependsOn));
        Assert.Equal("dependsOn forms a cycle: a -> b -> a; remove one of these dependencies", DependencyOrder.Problem("a", DependsOn));
        Assert.Equal("depends on a, which is held back by a dependsOn cycle", DependencyOrder.Problem("c", DependsOn));
        Assert.Null(DependencyOrder.Problem("d", DependsOn));
    }
}
