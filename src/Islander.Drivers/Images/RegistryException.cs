using System.Net;
using System.Text.Json;
using Islander.Model;

namespace Islander.Drivers.Images;

/// <summary>
/// A registry refused or failed a request. Carries the registry's own error code and message
/// (distribution spec: <c>{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}</c>)
/// so an isle's ImagePullFailed status can show them.
/// </summary>
public sealed class RegistryException : IslanderException
{
    public RegistryException(string registry, string operation, HttpStatusCode? status, string? code, string registryMessage, Exception? inner = null)
        : base(Format(registry, operation, status, code, registryMessage), Categorize(status, code), inner)
    {
        Registry = registry;
        Operation = operation;
        Status = status;
        Code = code;
        RegistryMessage = registryMessage;
    }

    public string Registry { get; }
    public string Operation { get; }
    public HttpStatusCode? Status { get; }

    /// <summary>The registry's error code (MANIFEST_UNKNOWN, UNAUTHORIZED, DENIED, ...), when it sent one.</summary>
    public string? Code { get; }

    /// <summary>The registry's own words, or the HTTP reason when it gave none.</summary>
    public string RegistryMessage { get; }

    static string Format(string registry, string operation, HttpStatusCode? status, string? code, string message)
    {
        string detail = (code, status) switch
        {
            (not null, not null) => $" ({code}, HTTP {(int)status})",
            (null, not null) => $" (HTTP {(int)status})",
            (not null, null) => $" ({code})",
            _ => "",
        };
        return $"{operation} from {registry}: {message}{detail}";
    }

    static ErrorCategory Categorize(HttpStatusCode? status, string? code) => (status, code) switch
    {
        (_, "MANIFEST_UNKNOWN" or "NAME_UNKNOWN" or "BLOB_UNKNOWN") or (HttpStatusCode.NotFound, _) => ErrorCategory.NotFound,
        (_, "TOOMANYREQUESTS") or (HttpStatusCode.TooManyRequests, _) => ErrorCategory.Transient,
        (null, _) => ErrorCategory.Transient, // no answer at all: connection refused, reset, timeout
        ({ } s, _) when (int)s >= 500 => ErrorCategory.Transient,
        _ => ErrorCategory.Unknown,
    };

    /// <summary>The first entry of a distribution-spec error body, or null when the body is not one.</summary>
    public static (string Code, string Message)? ParseErrorBody(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("errors", out var errors)
                && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                var e = errors[0];
                string code = e.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "";
                string msg = e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : code;
                return (code, msg);
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }
}
