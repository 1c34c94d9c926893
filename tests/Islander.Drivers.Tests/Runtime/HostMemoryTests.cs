using Islander.Drivers.Runtime;

namespace Islander.Drivers.Tests.Runtime;

public class HostMemoryTests
{
    [Fact]
    public void TotalBytes_MemTotalLine_InBytes() =>
        Assert.Equal(16318480L * 1024, HostMemory.TotalBytes("MemTotal:       16318480 kB\nMemFree:         1232820 kB\nMemAvailable:    9876544 kB\n"));

    [Fact]
    public void TotalBytes_NoMemTotal_Zero() => Assert.Equal(0, HostMemory.TotalBytes("MemFree: 1 kB\n"));

    [Fact]
    public void TotalBytes_ThisMachine_Positive() => Assert.True(HostMemory.TotalBytes() > 0);
}
