using Islander.Drivers.Rootfs;

namespace Islander.Drivers.Tests.Rootfs;

public class ProjectIdsTests
{
    [Fact]
    public void Candidates_SameName_SameOrderEveryTime() =>
        Assert.Equal(ProjectIds.Candidates("web").Take(3), ProjectIds.Candidates("web").Take(3));

    [Fact]
    public void Candidates_DifferentNames_StartApart() =>
        Assert.NotEqual(ProjectIds.Candidates("web").First(), ProjectIds.Candidates("db").First());

    [Fact]
    public void Candidates_StayInIslandersRange_AndCountUp()
    {
        var first = ProjectIds.Candidates("web").Take(2).ToList();

        Assert.All(first, id => Assert.InRange(id, 3_000_000_000u, 3_999_999_999u));
        Assert.True(first[1] == first[0] + 1 || first[1] == ProjectIds.First, $"{first[0]} then {first[1]}");
    }

    [Theory]
    [InlineData(0u, false)]
    [InlineData(42u, false)]
    [InlineData(2_999_999_999u, false)]
    [InlineData(3_000_000_000u, true)]
    [InlineData(3_999_999_999u, true)]
    [InlineData(4_000_000_000u, false)]
    [InlineData(uint.MaxValue, false)]
    public void IsIslanders_OnlyTheRange(uint id, bool expected) => Assert.Equal(expected, ProjectIds.IsIslanders(id));

    [Fact]
    public void Reserved_EtcProjid_IdsOfEveryEntry() =>
        Assert.Equal(new HashSet<uint> { 10, 3_000_000_123 },
            ProjectIds.Reserved("# projects\nlogs:10\n\n  big:3000000123\nbroken\nbad:x\n").ToHashSet());

    [Fact]
    public void Reserved_NoFile_Nothing() => Assert.Empty(ProjectIds.Reserved(null));
}
