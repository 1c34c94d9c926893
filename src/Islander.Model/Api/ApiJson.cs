using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Islander.Model.Api;

/// <summary>
/// The API's JSON, written by islanderd and read by islanderctl with the same options: camelCase names, absent values
/// left out (the views say where a null is written), and compact text in which quotes and non-ASCII characters of
/// messages are not \u-escaped.
/// </summary>
public static class ApiJson
{
    public const string ApiVersion = "islander.io/v1";

    /// <summary>The views' serializer: source-generated, no reflection, so islanderctl publishes NativeAOT.</summary>
    public static ApiJsonContext Context { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
