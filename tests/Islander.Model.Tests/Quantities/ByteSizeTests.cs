namespace Islander.Model.Tests.Quantities;

public class ByteSizeTests
{
    [Theory]
    [InlineData(0L, "0B")]
    [InlineData(80L, "80B")]
    [InlineData(1023L, "1023B")]
    [InlineData(1024L, "1KiB")]
    [InlineData(1536L, "1.5KiB")]
    [InlineData(98L << 10, "98KiB")]
    [InlineData(30L << 20, "30MiB")]
    [InlineData(30_000_000L, "28.61MiB")]
    [InlineData(3L << 19, "1.5MiB")]
    [InlineData(2_093_796_557L, "1.95GiB")]
    [InlineData(5L << 40, "5TiB")]
    [InlineData(long.MaxValue, "8EiB")]
    public void Format_Bytes_DockerStatsForm(long bytes, string expected) => Assert.Equal(expected, ByteSize.Format(bytes));
}
