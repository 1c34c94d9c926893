using System.Reflection;
using Islander.Testing;

namespace Islander.Model.Tests.Reconcile;

public sealed class IsleSpecRulesTests
{
    /// <summary>Properties of <see cref="IsleSpec"/> whose own properties are classified one by one.</summary>
    static readonly Dictionary<string, Type> Nested = new()
    {
        [nameof(IsleSpec.Resources)] = typeof(IsleResources),
        [nameof(IsleSpec.Security)] = typeof(IsleSecurity),
    };

    public static TheoryData<string> Fields => [.. IsleSpecRules.Rules.Select(r => r.Field)];

    /// <summary>A field added to the spec without a rule fails here: add one line to IsleSpecRules.Rules.</summary>
    [Fact]
    public void Rules_EveryPropertyOfTheSpec_HasOneRule()
    {
        var properties = typeof(IsleSpec).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .SelectMany(p => Nested.TryGetValue(p.Name, out var type)
                ? type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(q => $"{p.Name}.{q.Name}")
                : [p.Name])
            .Order(StringComparer.Ordinal).ToList();
        var ruled = IsleSpecRules.Rules
            .Select(r => Nested.Keys.SingleOrDefault(k => r.Field.StartsWith(k + ".", StringComparison.OrdinalIgnoreCase)) is { } nested ? $"{nested}.{r.Property}" : r.Property)
            .Distinct().Order(StringComparer.Ordinal).ToList(); // volumes has three: the mounts, config files' content and onChange

        Assert.Equal(properties, ruled);
    }

    /// <summary>A rule without a sample edit fails here: add one to tests/Islander.Testing/SpecEdits.</summary>
    [Fact]
    public void SpecEdits_EveryRule_HasAnEdit() =>
        Assert.Equal(IsleSpecRules.Rules.Select(r => r.Field).Order(StringComparer.Ordinal), SpecEdits.ByField.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Fields))]
    public void Changes_OneFieldEdited_ThatFieldWithItsKind(string field)
    {
        var before = SpecEdits.Base();
        var after = SpecEdits.ByField[field](before);

        var changes = IsleSpecRules.Changes(before, after);

        var kind = IsleSpecRules.Rules.Single(r => r.Field == field).Kind;
        Assert.Equal(kind, Assert.Single(changes, c => c.Field == field).Kind);
        Assert.Equal([field, .. SpecEdits.Companions.GetValueOrDefault(field, [])], changes.Select(c => c.Field).Order(StringComparer.Ordinal).OrderBy(f => f != field));
        Assert.NotEqual(SpecHash.Of(before), SpecHash.Of(after)); // the daemon sees the edit too
    }

    /// <summary>What the daemon's rule does with each edit of a running isle: exactly what the field's kind says.</summary>
    [Theory]
    [MemberData(nameof(Fields))]
    public void ForIsle_OneFieldEditedOnARunningIsle_ActionOfItsKind(string field)
    {
        var before = SpecEdits.Base();
        var after = SpecEdits.ByField[field](before);
        var actual = new ActualIsle("web", SpecHash.Of(before), IslePhase.Running, ProcessAlive: true) { Spec = before };

        var action = StateDiff.ForIsle("web", after, SpecHash.Of(after), actual, []).Action;

        switch (IsleSpecRules.Needs(IsleSpecRules.Changes(before, after)))
        {
            case SpecChangeKind.Live:
                var update = Assert.IsType<UpdateIsle>(action);
                Assert.Equal(SpecHash.Of(after), update.SpecHash);
                break;
            case var kind:
                Assert.Equal(kind, Assert.IsType<RecreateIsle>(action).Kind);
                break;
        }
    }

    [Fact]
    public void Changes_SameSpec_None()
    {
        var spec = SpecEdits.ByField["env"](SpecEdits.Base());

        Assert.Empty(IsleSpecRules.Changes(spec, spec with { Env = [.. spec.Env] }));
    }

    [Fact]
    public void SpecChange_Memory_DiffLine()
    {
        var before = SpecEdits.Base();

        var change = Assert.Single(IsleSpecRules.Changes(before, SpecEdits.ByField["resources.memory"](before)));

        Assert.Equal("~ spec.resources.memory: 64Mi -> 128Mi (live)", change.ToString());
    }

    [Fact]
    public void Changes_LiveAndRestart_NeedsRestart()
    {
        var before = SpecEdits.Base();
        var after = SpecEdits.ByField["command"](SpecEdits.ByField["resources.memory"](before));
        var actual = new ActualIsle("web", SpecHash.Of(before), IslePhase.Running, ProcessAlive: true) { Spec = before };

        var action = Assert.IsType<RecreateIsle>(StateDiff.ForIsle("web", after, SpecHash.Of(after), actual, []).Action);

        Assert.Equal(SpecChangeKind.Restart, action.Kind);
        Assert.Equal("~ restart isle web with its new spec (spec changed)", action.Describe());
        Assert.Equal(["~ spec.command: [\"sleep\",\"3600\"] -> [\"sleep\",\"3601\"] (restart)", "~ spec.resources.memory: 64Mi -> 128Mi (live)"], action.Details);
    }

    [Fact]
    public void ForIsle_LiveEditOfAnIsleThatDoesNotRun_StartsWithTheNewSpec()
    {
        var before = SpecEdits.Base();
        var after = SpecEdits.ByField["resources.memory"](before);
        var actual = new ActualIsle("web", SpecHash.Of(before), IslePhase.BackOff, ProcessAlive: false) { Spec = before };

        var action = Assert.IsType<RecreateIsle>(StateDiff.ForIsle("web", after, SpecHash.Of(after), actual, []).Action);

        Assert.Equal(SpecChangeKind.Restart, action.Kind);
    }

    [Fact]
    public void ForIsle_RunningSpecUnknown_Recreates()
    {
        var before = SpecEdits.Base();
        var after = SpecEdits.ByField["resources.memory"](before);
        var actual = new ActualIsle("web", SpecHash.Of(before), IslePhase.Running, ProcessAlive: true);

        var action = Assert.IsType<RecreateIsle>(StateDiff.ForIsle("web", after, SpecHash.Of(after), actual, []).Action);

        Assert.Equal(SpecChangeKind.Recreate, action.Kind);
        Assert.Equal("~ recreate isle web (spec changed)", action.Describe());
    }

    [Fact]
    public void UpdateIsle_Describe_NamesTheFields()
    {
        var before = SpecEdits.Base();
        var after = SpecEdits.ByField["resources.pids"](SpecEdits.ByField["resources.memory"](before));
        var actual = new ActualIsle("web", SpecHash.Of(before), IslePhase.Running, ProcessAlive: true) { Spec = before };

        var action = StateDiff.ForIsle("web", after, SpecHash.Of(after), actual, []).Action!;

        Assert.Equal("~ update isle web live (same process: resources.memory, resources.pids)", action.Describe());
        Assert.Equal(["~ spec.resources.memory: 64Mi -> 128Mi (live)", "~ spec.resources.pids: 2048 -> 100 (live)"], action.Details);
    }
}
