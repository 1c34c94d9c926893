using System.Diagnostics;

namespace Islander.Model.Tests.Loading;

/// <summary>The inputs the loaders' fuzz tests found wrong (<see cref="ManifestGrammarFuzzTests"/>), each as it failed.</summary>
public class FuzzFoundTests
{
    static IReadOnlyList<Diagnostic> Load(string spec) =>
        ManifestLoader.Load($"apiVersion: islander.io/v1\nkind: Isle\nmetadata: {{name: web}}\nspec:\n  image: busybox\n{spec}", "web.yaml",
            Islander.Drivers.DriverCatalogs.Known).Diagnostics;

    [Fact]
    public void Load_PortsWithAnEmptyNetworksList_RefusedAsWithoutNetworks()
    {
        // Accepted before: written back (networks left out, being empty), the isle no longer loaded.
        var d = Assert.Single(Load("  networks: []\n  ports: [{containerPort: 8080, hostPort: 18080}]\n"));

        Assert.Equal(("spec.ports", 7), (d.Field, d.Line));
        Assert.Contains("attach the isle to one under networks", d.Message);
    }

    [Fact]
    public void Load_HealthcheckRetriesNotANumber_MessageReadsAsASentence()
    {
        var d = Assert.Single(Load("  healthcheck: {exec: [true], retries: [3]}\n"));

        Assert.Equal("expected a whole number from 1 to 1000 (the failures in a row that make the isle unhealthy, e.g. 3), got a list", d.Message);
    }

    [Fact]
    public void Load_UnknownFieldWithNoCloseName_ListsTheFieldsThatGoThere()
    {
        var d = Assert.Single(Load("  imagePullPolicy: Always\n"));

        Assert.Equal("spec.imagePullPolicy", d.Field);
        Assert.StartsWith("unknown field; remove it, or use one of image, rootfs, command,", d.Message);
    }

    [Fact]
    public void LoadConfig_LongUnquotedValue_MessageKeepsWhatToDo()
    {
        var problem = Assert.Single(DaemonConfigLoader.Load("resync: 1m3" + new string('[', 3000) + "\n", "config.yaml").Problems);

        Assert.True(problem.Message.Length < 1000, problem.Message);
        Assert.EndsWith(Durations.Forms, problem.Message);
    }

    [Fact]
    public void Load_SelfAndTwiceListedDependencies_SayWhatToDo()
    {
        var messages = Load("  dependsOn: [web, db, db]\n").Select(d => d.Message).ToList();

        Assert.Equal(["an isle cannot depend on itself; remove this entry", "db is listed twice; list each isle once"], messages);
    }

    [Fact]
    public void Load_KeyThatIsAMapping_SaysWhatToWrite()
    {
        var d = Assert.Single(Load("  ? {a: b}\n  : c\n"));

        Assert.StartsWith("a key must be a plain name, not a mapping; write name: value", d.Message);
    }

    [Fact]
    public void TryParseBytes_MoreThan40Digits_TooLargeOrAFraction()
    {
        // Both were "is not a quantity" though the schema's pattern takes them.
        Assert.False(Quantity.TryParseBytes("99999999999999999999999999999999999999999", out _, out var error));
        Assert.Contains("is too large", error);
        Assert.True(Quantity.TryParseBytes(".599999999999999999999999999999999999999999", out var bytes, out error), error);
        Assert.Equal(1, bytes);
        Assert.False(Quantity.TryParseBytes(new string('9', 100_000), out _, out error));
        Assert.Contains("too many digits", error);
    }

    [Theory]
    [InlineData("6/web")]
    [InlineData("-1/web")]
    [InlineData(" Isle/web")]
    [InlineData("Isle, Volume/web")]
    public void ObjectKeyTryParse_KindThatIsNotAName_Refused(string text) => Assert.False(ObjectKey.TryParse(text, out _));
}
