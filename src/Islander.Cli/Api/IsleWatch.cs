using Islander.Model.Api;

namespace Islander.Cli.Api;

/// <summary>
/// Waits for an isle's status to reach a condition without polling: a watch of that one isle
/// (<c>GET isles?watch=true&amp;fieldSelector=metadata.name=NAME</c>) sends its view as it is when the watch starts, then
/// each time it changes, so the status comes with the news and is never read again by a request of its own. Before,
/// the event stream said that something happened and each time the status was read again: a one-shot made five
/// requests more than the create, the log and the delete, one per change. Opened once the isle exists: a view absent
/// from the first lines (before BOOKMARK) means it is gone.
/// </summary>
public sealed class IsleWatch : IAsyncDisposable
{
    readonly IslanderClient _client;
    readonly string _name;
    readonly SemaphoreSlim _changed = new(0);
    readonly TaskCompletionSource _listed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly CancellationTokenSource _stop = new();
    readonly Task _reader;
    volatile ObjectView? _latest;
    volatile ObjectView? _deleted;
    volatile bool _ended;
    ClientException? _error;

    public IsleWatch(IslanderClient client, string name)
    {
        _client = client;
        _name = name;
        _reader = ReadAsync();
    }

    async Task ReadAsync()
    {
        try
        {
            await foreach (var e in _client.WatchAsync("isles", null, _name, _stop.Token))
            {
                if (e.Type == WatchEventView.Bookmark)
                    _listed.TrySetResult(); // the views before it were the isle as it was (none: there was none)
                else if (e.Object?.Metadata.Name != _name)
                    continue;
                else if (e.Type == WatchEventView.Deleted)
                    (_deleted, _latest) = (e.Object, null);
                else
                    _latest = e.Object;
                _changed.Release();
            }
        }
        catch (Exception e) when (_stop.IsCancellationRequested && e is OperationCanceledException or IOException or HttpRequestException) { }
        catch (ClientException e) { _error = e; } // the daemon cannot be reached, or refused the watch: WaitAsync says so
        finally
        {
            _ended = true;
            _listed.TrySetResult();
            _changed.Release();
        }
    }

    /// <summary>
    /// The isle (null once it is gone) as soon as <paramref name="until"/> holds for it. Throws a
    /// <see cref="ClientException"/> if the daemon cannot be reached or closes the watch first.
    /// </summary>
    public async Task<ObjectView?> WaitAsync(Func<ObjectView?, bool> until, CancellationToken ct)
    {
        await _listed.Task.WaitAsync(ct);
        while (true)
        {
            bool ended = _ended; // read before the view: a view that came before the end is still seen
            var isle = _latest;
            if (_error is null && until(isle)) return isle;
            if (ended)
                throw _error ?? new ClientException($"islanderd closed its watch (did it stop?) while isle {_name} was {isle?.Status.Phase ?? "gone"}; " +
                    $"see islanderctl get isle {_name}", "Unavailable");
            await _changed.WaitAsync(ct);
        }
    }

    /// <summary>
    /// The isle as it last was, from the watch's DELETED line, once it is gone: islanderd sends its status as last
    /// committed there, so an exit committed just before the deletion is in it.
    /// </summary>
    public ObjectView? Deleted => _deleted;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reader;
        _stop.Dispose();
        _changed.Dispose();
    }
}
