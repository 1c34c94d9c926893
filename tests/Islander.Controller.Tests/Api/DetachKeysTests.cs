using Islander.Cli.Terminal;

namespace Islander.Controller.Tests.Api;

/// <summary>islanderctl's detach keys (Docker's <c>--detach-keys</c>).</summary>
public sealed class DetachKeysTests
{
    [Fact]
    public void Scan_CtrlPCtrlQ_DetachesAndHoldsNothingBack()
    {
        var keys = DetachKeys.Parse(DetachKeys.Default);

        var (forward, detach) = keys.Scan([(byte)'l', (byte)'s', 16, 17, (byte)'x']);

        Assert.True(detach);
        Assert.Equal("ls"u8.ToArray(), forward);
    }

    [Fact]
    public void Scan_CtrlPThenAnotherKey_BothReachTheProcess()
    {
        var keys = DetachKeys.Parse(DetachKeys.Default);

        var (first, d1) = keys.Scan([16]);
        var (then, d2) = keys.Scan([(byte)'a']);

        Assert.False(d1 || d2);
        Assert.Empty(first);
        Assert.Equal(new byte[] { 16, (byte)'a' }, then);
    }

    [Theory]
    [InlineData("ctrl-x,ctrl-1")]
    [InlineData("ctrl-px")]
    public void Parse_BadKey_FormatExceptionSaysWhich(string text) =>
        Assert.Contains("detach keys", Assert.Throws<FormatException>(() => DetachKeys.Parse(text)).Message);
}
