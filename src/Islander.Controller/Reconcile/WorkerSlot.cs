namespace Islander.Controller.Reconcile;

/// <summary>
/// The place a reconcile pass holds among the loop's <see cref="Hosting.DaemonOptions.Workers"/>, ambient in the pass
/// (an <see cref="AsyncLocal{T}"/>) so the lifecycle can give it up while it only waits. A stop waits for an isle's
/// stop timeout (30 s by default) when its PID 1 ignores the stop signal; holding a worker meanwhile made a prune of many
/// isles take one timeout per worker-count isles (2 389 isles: 100 minutes) and left new isles Pending behind it. Waiting
/// outside the slot, every stop runs at once and other keys keep being worked. The key itself stays taken in the
/// <see cref="ReconcileQueue"/> until its pass ends, so no second pass of it starts meanwhile.
/// </summary>
public sealed class WorkerSlot
{
    static readonly AsyncLocal<WorkerSlot?> Current = new();

    readonly SemaphoreSlim _slots;
    bool _held = true;

    WorkerSlot(SemaphoreSlim slots) => _slots = slots;

    /// <summary>Waits for a free slot of <paramref name="slots"/>; the caller then runs the pass in <see cref="RunAsync"/>.</summary>
    public static Task EnterAsync(SemaphoreSlim slots, CancellationToken cancellationToken) => slots.WaitAsync(cancellationToken);

    /// <summary>Runs <paramref name="pass"/> in a slot taken with <see cref="EnterAsync"/>; frees it when the pass ends.</summary>
    public static async Task RunAsync(SemaphoreSlim slots, Func<Task> pass)
    {
        var slot = new WorkerSlot(slots);
        Current.Value = slot; // flows into the pass, not back out of this method
        try
        {
            await pass().ConfigureAwait(false);
        }
        finally
        {
            if (slot._held) slots.Release();
        }
    }

    /// <summary>
    /// Awaits <paramref name="wait"/> with the current pass's slot given up, and takes a slot again afterwards (what
    /// follows the wait is short work). Outside a pass of the loop (tests driving passes one by one) it only awaits.
    /// </summary>
    public static async Task OutsideAsync(Func<Task> wait, CancellationToken cancellationToken)
    {
        if (Current.Value is not { _held: true } slot)
        {
            await wait().ConfigureAwait(false);
            return;
        }
        slot._held = false;
        slot._slots.Release();
        try
        {
            await wait().ConfigureAwait(false);
        }
        finally
        {
            await slot._slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            slot._held = true;
        }
    }
}
