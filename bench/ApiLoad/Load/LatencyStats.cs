namespace Islander.Bench.ApiLoad;

/// <summary>Median, p90, p99 and max of a set of samples in milliseconds (nearest rank); all zero when there are none.</summary>
public sealed record LatencyStats(int Count, double Median, double P90, double P99, double Max)
{
    public static LatencyStats Of(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToArray();
        if (sorted.Length == 0) return new LatencyStats(0, 0, 0, 0, 0);
        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new LatencyStats(sorted.Length, Rank(0.5), Rank(0.9), Rank(0.99), sorted[^1]);
    }

    public override string ToString() => Count == 0 ? "-" : FormattableString.Invariant($"median {Median:F1} p90 {P90:F1} p99 {P99:F1} max {Max:F1} ms");
}
