namespace Islander.Model.Api;

/// <summary>
/// What is at a path in an isle, as the archive endpoints report it in the <c>X-Islander-Path-Stat</c> header (base64
/// JSON, as Docker's <c>X-Docker-Container-Path-Stat</c>): its name, size, permission bits and type
/// (<c>Directory</c>, <c>Regular</c>, <c>Symlink</c>, ...).
/// </summary>
public sealed record PathStatView(string Name, long Size, int Mode, string Type);
