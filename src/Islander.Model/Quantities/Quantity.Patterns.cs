namespace Islander.Model;

public static partial class Quantity
{
    /// <summary>
    /// The forms <see cref="TryParseBytes"/> takes, as a pattern (ECMA-262 and .NET alike) for the manifests' JSON
    /// Schema; a test holds the two together. It cannot say "at most <see cref="long.MaxValue"/>", which only the
    /// parser checks.
    /// </summary>
    public const string BytesPattern = @"^\+?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[KMGTPE]i?|[kmgt]b?|b|[eE][-+]?[0-9]+)?$";

    /// <summary>
    /// The forms <see cref="TryParseCpuMillis"/> takes: CPUs to the millicore (trailing zeros allowed, as the parser
    /// allows them), or whole millicores.
    /// </summary>
    public const string CpuPattern = @"^\+?(?:(?:[0-9]+(?:\.[0-9]{0,3}0*)?|\.[0-9]{1,3}0*)|(?:[0-9]+(?:\.0*)?|\.0+)m)$";
}
