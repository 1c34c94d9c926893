using Islander.Model;

namespace Islander.Controller.Api;

/// <summary>Error category → HTTP status code, after containerd's errdefs → gRPC codes.</summary>
public static class ApiErrors
{
    public static int StatusCode(ErrorCategory category) => category switch
    {
        ErrorCategory.NotFound => 404,
        ErrorCategory.AlreadyExists => 409,
        ErrorCategory.Conflict => 409,
        ErrorCategory.InvalidManifest => 422,
        ErrorCategory.Unsupported => 501,
        ErrorCategory.Transient => 503,
        _ => 500,
    };
}
