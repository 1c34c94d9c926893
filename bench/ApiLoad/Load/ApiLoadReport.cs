using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Islander.Bench.ApiLoad;

/// <summary>What a run measured, per kind of client, as text (one line each) or JSON.</summary>
public sealed record ApiLoadReport(TimeSpan Duration, IReadOnlyList<KindReport> Kinds)
{
    public long Errors => Kinds.Sum(k => k.Errors);
    public int Stalled => Kinds.Sum(k => k.Stalled);
    public KindReport? Kind(string kind) => Kinds.FirstOrDefault(k => k.Kind == kind);

    public string ToText()
    {
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"{Duration.TotalSeconds:F0} s, {Kinds.Sum(k => k.Clients)} clients; errors {Errors}, stalled streams {Stalled}\n");
        foreach (var k in Kinds.Where(k => k.Clients > 0))
        {
            double rate = k.Requests / Duration.TotalSeconds;
            s.Append(CultureInfo.InvariantCulture, $"{k.Kind,-7} clients {k.Clients,3}  requests {k.Requests,7} ({rate,6:F1}/s)  errors {k.Errors}  latency {k.Latency}");
            if (k.Kind is "logs" or "events")
                s.Append(CultureInfo.InvariantCulture, $"  received {k.Items}  lag {k.Lag}  stalled {k.Stalled}");
            s.Append('\n');
            foreach (var e in k.FirstErrors) s.Append("        ! ").Append(e).Append('\n');
        }
        return s.ToString();
    }

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("seconds", Math.Round(Duration.TotalSeconds, 1));
            w.WriteNumber("errors", Errors);
            w.WriteNumber("stalled", Stalled);
            w.WriteStartObject("kinds");
            foreach (var k in Kinds)
            {
                w.WriteStartObject(k.Kind);
                w.WriteNumber("clients", k.Clients);
                w.WriteNumber("requests", k.Requests);
                w.WriteNumber("errors", k.Errors);
                Stats(w, "latencyMs", k.Latency);
                w.WriteNumber("received", k.Items);
                Stats(w, "lagMs", k.Lag);
                w.WriteNumber("stalled", k.Stalled);
                w.WriteStartArray("firstErrors");
                foreach (var e in k.FirstErrors) w.WriteStringValue(e);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    static void Stats(Utf8JsonWriter w, string name, LatencyStats s)
    {
        w.WriteStartObject(name);
        w.WriteNumber("count", s.Count);
        w.WriteNumber("median", Math.Round(s.Median, 2));
        w.WriteNumber("p90", Math.Round(s.P90, 2));
        w.WriteNumber("p99", Math.Round(s.P99, 2));
        w.WriteNumber("max", Math.Round(s.Max, 2));
        w.WriteEndObject();
    }
}
