using Islander.Drivers.Runtime;

namespace Islander.Drivers.Tests.Runtime;

public sealed class SocketActivationTests
{
    [Theory]
    [InlineData("4242", "1", 4242, 1)]
    [InlineData("4242", "2", 4242, 2)]
    [InlineData("4241", "1", 4242, 0)] // for another process (inherited by a child)
    [InlineData(null, "1", 4242, 0)]
    [InlineData("4242", null, 4242, 0)]
    [InlineData("4242", "x", 4242, 0)]
    [InlineData("4242", "-1", 4242, 0)]
    public void Count_ListenPidAndFds_FdsForThisProcessOnly(string? pid, string? fds, int self, int expected) =>
        Assert.Equal(expected, SocketActivation.Count(pid, fds, self));
}
