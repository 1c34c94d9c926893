namespace Islander.Controller.Networks;

/// <summary>The reconcile pass of a <c>kind: Network</c> key (see <see cref="IsleNetworking.ReconcileNetwork"/>).</summary>
public sealed class NetworkReconciler(IsleNetworking networks)
{
    public void Reconcile(string name) => networks.ReconcileNetwork(name);
}
