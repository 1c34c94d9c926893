using Islander.Model.Api;

namespace Islander.Cli.Api;

/// <summary>
/// Waits for an isle's status to reach a condition without polling: the daemon's event stream says when something
/// happened to the isle, and each time the status is read again (level-triggered, as the daemon itself works). The
/// stream starts with the stored history, so an event that happened before the watch opened still wakes it; the
/// price is a few extra reads of the status at the start.
/// </summary>
public sealed class IsleWatch : IAsyncDisposable
{
    readonly IslanderClient _client;
    readonly string _name;
    readonly SemaphoreSlim _changed = new(0);
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
            await foreach (var e in _client.WatchEventsAsync(_stop.Token))
                if (e.Kind == "Isle" && e.Name == _name) _changed.Release();
        }
        catch (Exception e) when (_stop.IsCancellationRequested && e is OperationCanceledException or IOException or HttpRequestException) { }
        catch (ClientException) { } // the daemon went away: the next status read reports it
        finally
        {
            _ended = true;
            _changed.Release();
        }
    }

    /// <summary>
    /// The isle (null once it is gone) as soon as <paramref name="until"/> holds for it. Throws a
    /// <see cref="ClientException"/> if the daemon cannot be reached or closes the event stream first.
    /// </summary>
    public async Task<ObjectView?> WaitAsync(Func<ObjectView?, bool> until, CancellationToken ct)
    {
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
