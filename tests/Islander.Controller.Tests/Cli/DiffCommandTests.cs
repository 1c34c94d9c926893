using System.Text.Json;
using Islander.Cli.Api;
using Islander.Cli.Commands;

namespace Islander.Controller.Tests.Cli;

public sealed class DiffCommandTests
{
    [Fact]
    public void Unified_OneLineChanged_Hunk()
    {
        var diff = DiffCommand.Unified(["a", "b", "c"], ["a", "B", "c"], "old", "new");

        Assert.Equal("--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n", diff);
    }

    [Fact]
    public void JsonYaml_NestedSpec_BlockYaml()
    {
        using var doc = JsonDocument.Parse("""{"command":["/bin/sh","-c"],"env":[{"name":"A","value":"1"}],"resources":{"memory":67108864},"user":"1000:1000"}""");

        Assert.Equal("""
            command:
            - /bin/sh
            - "-c"
            env:
            - name: A
              value: "1"
            resources:
              memory: 67108864
            user: "1000:1000"

            """.ReplaceLineEndings("\n"), JsonYaml.Write(doc.RootElement));
    }

    [Fact]
    public void PlanText_Lines_IndentedUnderHeading() =>
        Assert.Equal("plan:\n  + start isle web (New)\n  - delete isle old\n", DiffCommand.PlanText(["+ start isle web (New)", "- delete isle old"]));

    [Fact]
    public void PlanText_NoPlan_Nothing()
    {
        Assert.Equal("", DiffCommand.PlanText(null));
        Assert.Equal("", DiffCommand.PlanText([]));
    }
}
