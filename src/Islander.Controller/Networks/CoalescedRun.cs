namespace Islander.Controller.Networks;

/// <summary>
/// Runs an action that brings something up to date with the state as a whole (the firewall, the hosts files), so that
/// callers asking while it runs share the next run instead of queueing one run each. A caller changes the state, then
/// calls <see cref="Run"/>: it returns once a run that began after the call has finished, its own or another caller's.
/// Runs never overlap (one lock, held across the action), so a run that read older state never lands after one that
/// read newer state.
/// </summary>
/// <remarks>
/// Each call takes a ticket before the lock. The run that takes the lock reads the last ticket handed out: every caller
/// holding a ticket up to that one is covered by it, since its action reads the state after they changed it. A caller
/// that then gets the lock and finds its ticket covered returns without running. 50 isles started at once make a few
/// runs, not 50.
/// </remarks>
public sealed class CoalescedRun
{
    readonly Lock _lock = new();
    long _requests; // tickets handed out
    long _covered;  // the last ticket the last finished run covered

    /// <summary>Tickets handed out so far (each call to <see cref="Run"/> takes one before it waits).</summary>
    internal long Requests => Volatile.Read(ref _requests);

    /// <summary>Returns once <paramref name="action"/> has run to the end, begun after this call: by this caller or by another.</summary>
    public void Run(Action action)
    {
        long request = Interlocked.Increment(ref _requests);
        lock (_lock)
        {
            if (_covered >= request)
                return; // a run that began after this request has finished meanwhile
            long covers = Volatile.Read(ref _requests);
            action();
            _covered = covers;
        }
    }
}
