namespace Islander.Drivers.Images;

/// <summary>
/// Where a pull asks for an image: the image's own registry, or a mirror of Docker Hub.
/// </summary>
/// <param name="BaseUri">The distribution API root, e.g. <c>http://127.0.0.1:5000/v2/</c>.</param>
/// <param name="Host">host[:port] spoken to: credentials are looked up by it and errors name it.</param>
/// <param name="IsMirror">A mirror from <see cref="RegistryOptions.Mirrors"/>: a failure there moves on to the next endpoint.</param>
public sealed record RegistryEndpoint(Uri BaseUri, string Host, bool IsMirror)
{
    /// <summary>Scheme, host and path without <c>/v2/</c>: <c>http://127.0.0.1:5000</c>, <c>https://registry-1.docker.io</c>.</summary>
    public string Url => BaseUri.GetLeftPart(UriPartial.Path)[..^"/v2/".Length];
}
