using System.Diagnostics;
using System.Globalization;
using System.Text;
using CsCheck;
using Xunit.Sdk;

namespace Islander.Testing;

/// <summary>
/// Runs a fuzz target: inputs drawn from a CsCheck generator, case by case, each from its own seed
/// (<see cref="Seed"/> and the case's number), so any failure replays alone. CI runs the few thousand inputs a test
/// asks for, within a time budget; <c>ISLANDER_FUZZ_ITERATIONS=N</c> runs N per target with no budget (the long form,
/// <c>bench/fuzz.sh</c>), <c>ISLANDER_FUZZ_SEED</c> changes the seed, <c>ISLANDER_FUZZ_CASE=I</c> runs case I alone, and
/// <c>ISLANDER_FUZZ_REPORT=FILE</c> appends "target inputs failures" lines to FILE. Every input is bounded in time
/// (<see cref="InputLimit"/>): one that takes longer is a hang, reported with the input. A run does not stop at the first
/// failure: it counts them all and reports the first few of each kind.
/// </summary>
public static class Fuzz
{
    public const string IterationsVariable = "ISLANDER_FUZZ_ITERATIONS";
    public const string SeedVariable = "ISLANDER_FUZZ_SEED";
    public const string CaseVariable = "ISLANDER_FUZZ_CASE";
    public const string ReportVariable = "ISLANDER_FUZZ_REPORT";

    /// <summary>The fixed seed of CI runs.</summary>
    public const ulong DefaultSeed = 20261205;

    /// <summary>Longer than any input takes on a loaded machine by far (the slowest take milliseconds); only a hang reaches it.</summary>
    public static readonly TimeSpan InputLimit = TimeSpan.FromSeconds(20);

    public static ulong Seed =>
        ulong.TryParse(Environment.GetEnvironmentVariable(SeedVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var seed) ? seed : DefaultSeed;

    /// <summary>True when <see cref="IterationsVariable"/> asks for the long form.</summary>
    public static bool LongForm => LongIterations is not null;

    static int? LongIterations =>
        int.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

    static int? OnlyCase =>
        int.TryParse(Environment.GetEnvironmentVariable(CaseVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>The PCG of case <paramref name="index"/>: the same input every run with the same seed.</summary>
    public static PCG CaseRandom(int index) => new(0, Seed + (ulong)index * 0x9E3779B97F4A7C15UL);

    /// <summary>Runs <paramref name="property"/> on <paramref name="iterations"/> inputs (or the long form's count); the number run.</summary>
    public static int Run<T>(string target, Gen<T> gen, Action<T> property, int iterations, Func<T, string>? print = null, TimeSpan? budget = null) =>
        RunAsync(target, gen, input =>
        {
            property(input);
            return Task.CompletedTask;
        }, iterations, print, budget).GetAwaiter().GetResult();

    /// <inheritdoc cref="Run"/>
    public static async Task<int> RunAsync<T>(string target, Gen<T> gen, Func<T, Task> property, int iterations, Func<T, string>? print = null, TimeSpan? budget = null)
    {
        var count = LongIterations ?? iterations;
        var limit = LongForm ? TimeSpan.MaxValue : budget ?? TimeSpan.FromSeconds(20);
        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        var kinds = new Dictionary<string, int>(StringComparer.Ordinal);
        int run = 0, failed = 0;
        var first = OnlyCase ?? 0;
        var last = OnlyCase is { } only ? only + 1 : count;
        for (int i = first; i < last && clock.Elapsed < limit; i++)
        {
            var input = gen.Generate(CaseRandom(i), null!, out _);
            run++;
            string? failure = null;
            try
            {
                var task = Task.Run(() => property(input));
                if (!await WaitAsync(task)) failure = $"hang: no answer in {InputLimit.TotalSeconds:0}s";
                else await task;
            }
            catch (Exception e)
            {
                failure = e.ToString();
            }
            if (failure is null) continue;
            failed++;
            var kind = failure.Split('\n')[0];
            kind = kind[..Math.Min(kind.Length, 120)];
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            if (kinds[kind] > 2 || failures.Count >= 8) continue;
            var shown = print is null ? input?.ToString() ?? "null" : print(input);
            failures.Add($"case {i} (replay: {SeedVariable}={Seed} {CaseVariable}={i}): {Cut(failure, 3000)}\n--- input:\n{Cut(shown, 3000)}");
        }
        if (Environment.GetEnvironmentVariable(ReportVariable) is { Length: > 0 } report)
            await File.AppendAllTextAsync(report, $"{target} {run} {failed}\n");
        if (failed > 0)
            throw new XunitException($"fuzz {target}: {failed} of {run} inputs failed (seed {Seed}); the first:\n\n{string.Join("\n\n", failures)}");
        return run;
    }

    static async Task<bool> WaitAsync(Task task)
    {
        try
        {
            await task.WaitAsync(InputLimit);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception)
        {
            return true; // the caller awaits it again and reports the exception
        }
    }

    static string Cut(string text, int max) => text.Length <= max ? text : text[..max] + $"… ({text.Length} characters)";

    /// <summary>Printable form of bytes for a failure: text as it is where it is text, else hex.</summary>
    public static string Show(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        return text.Contains('\uFFFD') || text.Any(c => c < ' ' && c is not '\n' and not '\t' and not '\r')
            ? Convert.ToHexString(bytes)
            : text;
    }
}
