using Islander.Model;

namespace Islander.Controller.Reconcile;

/// <summary>
/// One level-triggered pass over one object of one kind (controller-runtime's <c>Reconcile(request) → result</c>):
/// read what is desired and what is, act until they match, and say whether to come back. The loop knows queues and
/// back-off, never kinds; it calls the reconciler registered for the key's kind.
/// </summary>
/// <remarks>
/// A pass is idempotent and may be cut off anywhere: the next pass of the same key finishes the work. The loop runs one
/// pass per key at a time. Throwing <see cref="TerminalReconcileException"/> means "no retry until the object changes";
/// any other exception is retried with per-key back-off.
/// </remarks>
public interface IReconciler
{
    /// <summary>The kind of object this reconciler's passes are for.</summary>
    ObjectKind Kind { get; }

    /// <summary>One pass for the object named <paramref name="name"/>: <see cref="ReconcileResult.Done"/> or another pass after a delay.</summary>
    Task<ReconcileResult> ReconcileAsync(string name, CancellationToken cancellationToken);
}
