using System.Diagnostics;
using System.Text;

namespace Islander.Model.Tests.Loading;

/// <summary>
/// Thousands of mutated manifests (the golden files cut, spliced, bracketed and salted with YAML's punctuation), with
/// a fixed seed: the loader never throws, and every problem names its file, a line and column in the text, and the
/// field (or, for a problem of the whole text, says so).
/// </summary>
public class ManifestFuzzTests
{
    static readonly string[] Seeds = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "testdata", "manifests"), "*.yaml")
        .Order(StringComparer.Ordinal).Select(File.ReadAllText).ToArray();

    const string Punctuation = "[]{}:-,&*!|>'\"\n #\t\\?%@`~<=0x.";

    /// <summary>One mutation of <paramref name="text"/>; a few of them make one case.</summary>
    public static string Mutate(Random random, string text)
    {
        int At() => random.Next(text.Length + 1);
        switch (random.Next(9))
        {
            case 0: // delete a span
            {
                int a = At(), b = Math.Min(text.Length, a + random.Next(1, 40));
                return text[..a] + text[b..];
            }
            case 1: // a character of YAML's syntax
            {
                int a = At();
                return text[..a] + Punctuation[random.Next(Punctuation.Length)] + text[a..];
            }
            case 2: // copy a span elsewhere
            {
                int a = At(), b = Math.Min(text.Length, a + random.Next(1, 80)), c = At();
                return text[..c] + text[a..b] + text[c..];
            }
            case 3: // swap two lines
            {
                var lines = text.Split('\n');
                int i = random.Next(lines.Length), j = random.Next(lines.Length);
                (lines[i], lines[j]) = (lines[j], lines[i]);
                return string.Join('\n', lines);
            }
            case 4: // nesting, now and then past the limit
            {
                int a = At(), depth = random.Next(2) == 0 ? random.Next(1, 10) : random.Next(60, 3000);
                var open = random.Next(2) == 0 ? '[' : '{';
                return text[..a] + new string(open, depth) + (random.Next(2) == 0 ? new string(open == '[' ? ']' : '}', depth) : "") + text[a..];
            }
            case 5: // anchors and aliases
            {
                int a = At(), b = At();
                if (a > b) (a, b) = (b, a);
                return text[..a] + " &x" + random.Next(3) + " " + text[a..b] + " *x" + random.Next(3) + " " + text[b..];
            }
            case 6: // change an indentation
            {
                var lines = text.Split('\n');
                int i = random.Next(lines.Length);
                lines[i] = random.Next(2) == 0 ? "  " + lines[i] : lines[i].TrimStart();
                return string.Join('\n', lines);
            }
            case 7: // a document break, or a long value
            {
                int a = At();
                return text[..a] + (random.Next(2) == 0 ? "\n---\n" : new string('v', random.Next(100, 5000))) + text[a..];
            }
            default: // a random byte, control characters and non-ASCII included
            {
                int a = At();
                return text[..a] + (char)random.Next(0, 0x3000) + text[a..];
            }
        }
    }

    [Fact]
    public void Load_ThousandsOfMutatedManifests_NeverThrowsAndEveryProblemSaysWhere()
    {
        var random = new Random(20261205);
        var clock = Stopwatch.StartNew();
        int cases = 0, problems = 0;
        while (cases < 4000 && clock.Elapsed < TimeSpan.FromSeconds(8))
        {
            var text = Seeds[random.Next(Seeds.Length)];
            for (int m = random.Next(1, 6); m > 0; m--) text = Mutate(random, text);
            cases++;

            ManifestLoadResult<Manifest> result;
            try { result = ManifestLoader.Load(text, "fuzz.yaml", Islander.Drivers.DriverCatalogs.Known); }
            catch (Exception e) { throw new Xunit.Sdk.XunitException($"case {cases} threw {e.GetType().Name}: {e.Message}\n--- input:\n{text}"); }

            int lines = text.Split('\n').Length;
            foreach (var d in result.Diagnostics)
            {
                problems++;
                Assert.Equal("fuzz.yaml", d.File);
                Assert.True(d.Line >= 1 && d.Line <= lines + 1 && d.Column >= 1, $"case {cases}: {d} is outside the text ({lines} lines)\n--- input:\n{text}");
                Assert.True(d.Message.Length is > 0 and < 1000, $"case {cases}: {d}");
                Assert.True(d.Field.Length > 0 || WholeText(d.Message), $"case {cases}: no field in \"{d}\"\n--- input:\n{text}");
            }
            Assert.True(result.Objects.Count == 0 || result.Objects.All(o => o.Source.File == "fuzz.yaml" && o.Source.Line >= 1));
        }
        Assert.True(cases >= 1000, $"only {cases} cases in {clock.Elapsed}");
        Assert.True(problems > cases, $"{problems} problems in {cases} cases: the mutations hardly break anything");
    }

    /// <summary>
    /// Problems of the text or a document as a whole, not of one field: a syntax error at the top, a limit, the count
    /// of problems left out, a document that is not a mapping.
    /// </summary>
    static bool WholeText(string message) =>
        message.StartsWith("expected a mapping of fields (apiVersion", StringComparison.Ordinal) || message.StartsWith("a key must be a plain name", StringComparison.Ordinal)
        || message.StartsWith("YAML syntax error", StringComparison.Ordinal) || message.Contains("more problem(s) not shown", StringComparison.Ordinal)
        || message.Contains("documents in one file", StringComparison.Ordinal) || message.StartsWith("the file is", StringComparison.Ordinal)
        || message.StartsWith("lists and mappings are nested", StringComparison.Ordinal);
}
