using Islander.Model.Api;

namespace Islander.Cli.Api;

/// <summary>
/// Waits for an isle's status to reach a condition without polling: the daemon's event stream says when something
/// happened to the isle, and each time the status is read again (level-triggered, as the daemon itself works). The
/// stream holds no history (<c>history=false</c>): the status is first read once the daemon has answered the watch,
/// by which time it has subscribed, so whatever happened before is in that status and whatever happens after is in
/// the stream. Replaying the stored events (up to a thousand) cost every run a read and a send of all of them.
/// </summary>
public sealed class IsleWatch : IAsyncDisposable
{
    readonly IslanderClient _client;
    readonly string _name;
    readonly SemaphoreSlim _changed = new(0);
    readonly TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly CancellationTokenSource _stop = new();
    readonly Task _reader;
    volatile bool _ended;

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
            await foreach (var e in _client.WatchEventsAsync(_stop.Token, history: false, answered: () => _answered.TrySetResult()))
                if (e.Kind == "Isle" && e.Name == _name) _changed.Release();
        }
        catch (Exception e) when (_stop.IsCancellationRequested && e is OperationCanceledException or IOException or HttpRequestException) { }
        catch (ClientException) { } // the daemon went away: the next status read reports it
        finally
        {
            _ended = true;
            _answered.TrySetResult(); // or never answered: the next status read says why
            _changed.Release();
        }
    }

    /// <summary>
    /// The isle (null once it is gone) as soon as <paramref name="until"/> holds for it. Throws a
    /// <see cref="ClientException"/> if the daemon cannot be reached or closes the event stream first.
    /// </summary>
    public async Task<ObjectView?> WaitAsync(Func<ObjectView?, bool> until, CancellationToken ct)
    {
        await _answered.Task.WaitAsync(ct);
        while (true)
        {
            var isle = await _client.FindAsync("isles", _name, ct);
            if (until(isle)) return isle;
            if (_ended)
                throw new ClientException($"islanderd closed its event stream (did it stop?) while isle {_name} was {isle?.Status.Phase ?? "gone"}; " +
                    $"see islanderctl get isle {_name}", "Unavailable");
            await _changed.WaitAsync(ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reader;
        _stop.Dispose();
        _changed.Dispose();
    }
}
