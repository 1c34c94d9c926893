using System.Text.Json;
using Islander.Cli.Api;
using Islander.Cli.Commands;
using Islander.Model.Api;

namespace Islander.Controller.Tests.Cli;

public sealed class WaitCommandTests
{
    static ObjectView Isle(string phase) =>
        new("islander.io/v1", "Isle", new ObjectMetaView("web"), JsonDocument.Parse("{}").RootElement, new ObjectStatusView(Phase: phase));

    [Theory]
    [InlineData("delete", null, true)]
    [InlineData("delete", "Running", false)]
    [InlineData("phase=Stopped", "Stopped", true)]
    [InlineData("phase=stopped", "Stopped", true)]
    [InlineData("phase=Stopped", "Running", false)]
    [InlineData("condition=Ready", "Running", true)]
    [InlineData("condition=Ready", "Paused", false)]
    [InlineData("condition=Ready=false", "Stopped", true)]
    [InlineData("condition=Completed", "Failed", true)]
    [InlineData("condition=Completed", "BackOff", false)]
    [InlineData("condition=Ready", null, false)]
    public void Parse_Condition_HoldsAsKubectlWaitWould(string text, string? phase, bool holds) =>
        Assert.Equal(holds, WaitCommand.Parse(text).Holds(phase is null ? null : Isle(phase)));

    [Theory]
    [InlineData("phase=Sleeping", "the phases are")]
    [InlineData("phase=1", "the phases are")]
    [InlineData("condition=Healthy", "the conditions are Ready")]
    [InlineData("condition=Ready=maybe", "true or false")]
    [InlineData("jsonpath={.status}", "use delete, phase=PHASE")]
    public void Parse_Unknown_SaysWhatIsAccepted(string text, string hint) =>
        Assert.Contains(hint, Assert.Throws<ClientException>(() => WaitCommand.Parse(text)).Message);
}
