using System.Globalization;
using System.Text;

namespace Islander.Controller.Metrics;

/// <summary>
/// Writes Prometheus' text exposition format 0.0.4: per metric family one <c># HELP</c> and one <c># TYPE</c> line,
/// then its samples, <c>name{label="value"} number</c>. Families are written whole, one after the other, as the format
/// requires. Label values escape backslash, double quote and newline; HELP text backslash and newline.
/// </summary>
public sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    readonly StringBuilder _text = new();

    /// <summary>Starts a family; <paramref name="type"/> is counter, gauge, histogram or untyped.</summary>
    public PrometheusText Family(string name, string type, string help)
    {
        _text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    /// <summary>One sample; <paramref name="labels"/> are name/value pairs.</summary>
    public PrometheusText Sample(string name, double value, params (string Name, string Value)[] labels)
    {
        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (int i = 0; i < labels.Length; i++)
            {
                if (i > 0) _text.Append(',');
                _text.Append(labels[i].Name).Append("=\"").Append(Escape(labels[i].Value)).Append('"');
            }
            _text.Append('}');
        }
        _text.Append(' ').Append(Format(value)).Append('\n');
        return this;
    }

    /// <summary>A histogram's samples: cumulative <c>_bucket</c>s with <c>le</c>, <c>+Inf</c>, <c>_sum</c>, <c>_count</c>.</summary>
    public PrometheusText Histogram(string name, double[] bounds, long[] cumulative, long count, double sum, params (string Name, string Value)[] labels)
    {
        for (int i = 0; i < bounds.Length; i++)
            Sample(name + "_bucket", cumulative[i], [.. labels, ("le", Format(bounds[i]))]);
        Sample(name + "_bucket", count, [.. labels, ("le", "+Inf")]);
        Sample(name + "_sum", sum, labels);
        Sample(name + "_count", count, labels);
        return this;
    }

    public override string ToString() => _text.ToString();

    static string Escape(string value) => value
        .Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>Go's ParseFloat reads these: integers without an exponent, +Inf/-Inf/NaN spelled as Prometheus does.</summary>
    static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
