using Islander.Controller.Ports;

namespace Islander.Controller.Reconcile;

/// <summary>A start plan and the claims held while it runs (the volumes a restore must wait for): dispose once the start ended.</summary>
public sealed class PreparedStart(IsleStartPlan plan, IDisposable claims) : IDisposable
{
    public IsleStartPlan Plan => plan;

    public void Dispose() => claims.Dispose();
}
