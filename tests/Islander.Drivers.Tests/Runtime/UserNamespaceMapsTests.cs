using Islander.Model;
using Islander.Drivers.Runtime;

namespace Islander.Drivers.Tests.Runtime;

public class UserNamespaceMapsTests
{
    [Fact]
    public void Format_TwoMappings_OneLineEach() =>
        Assert.Equal("0 100000 1000\n1000 1000 1\n", UserNamespaceMaps.Format([new(0, 100000, 1000), new(1000, 1000, 1)]));

    [Fact]
    public void Format_None_Empty() => Assert.Equal("", UserNamespaceMaps.Format([]));
}
