using Islander.Controller.Lifecycle;

namespace Islander.Controller.Tests.Lifecycle;

public sealed class ExponentialBackoffTests
{
    [Theory]
    [InlineData(-1, 200)]
    [InlineData(0, 200)]
    [InlineData(1, 400)]
    [InlineData(10, 204_800)]
    [InlineData(11, 300_000)]
    [InlineData(1000, 300_000)]
    public void Delay_Doublings_BaseTimesPowerOfTwoCappedAtMax(int doublings, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs),
            ExponentialBackoff.Delay(TimeSpan.FromMilliseconds(200), TimeSpan.FromMinutes(5), doublings));

    [Fact]
    public void RestartBackoff_FirstRestartAtOnceThenTheSharedDoubling()
    {
        var backoff = new RestartBackoff();

        Assert.Equal(TimeSpan.Zero, backoff.Delay(0));
        foreach (var exponent in Enumerable.Range(1, 12))
            Assert.Equal(ExponentialBackoff.Delay(backoff.Base, backoff.Max, exponent - 1), backoff.Delay(exponent));
    }
}
