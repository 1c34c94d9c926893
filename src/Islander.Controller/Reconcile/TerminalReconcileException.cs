using Islander.Model;

namespace Islander.Controller.Reconcile;

/// <summary>
/// A pass cannot succeed until the desired state changes (controller-runtime's TerminalError): the loop records
/// <see cref="Reason"/> in the object's status and an event once, logs once, and does not retry.
/// </summary>
public sealed class TerminalReconcileException(string reason, string message, Exception? inner = null)
    : IslanderException(message, ErrorCategory.InvalidManifest, inner)
{
    public string Reason { get; } = reason;
}
