namespace Islander.Controller.Volumes;

/// <summary>
/// Volumes' part of a start plan: the host paths of the isle's named volumes (volume → path). Dispose it once the start
/// ended: until then a restore of one of these volumes waits.
/// </summary>
public sealed class VolumeClaim(IReadOnlyDictionary<string, string> paths, IDisposable inFlight) : IDisposable
{
    public IReadOnlyDictionary<string, string> Paths => paths;

    public void Dispose() => inFlight.Dispose();
}
