namespace Islander.Bench.ApiLoad;

/// <summary>
/// One kind of client's figures. <see cref="Requests"/>: requests made (streams opened, for followers and watchers);
/// <see cref="Latency"/>: a request's whole time (a stream's time to its response headers); <see cref="Items"/> and
/// <see cref="Lag"/>: log entries or events received, and how long after their time each arrived (only those that
/// happened after the stream was open); <see cref="Stalled"/>: followers that had received nothing for a while at
/// the end; <see cref="Errors"/>: a status other than 2xx, a failure, a timeout, a stream that ended before the run.
/// </summary>
public sealed record KindReport(string Kind, int Clients, long Requests, long Errors, LatencyStats Latency, long Items, LatencyStats Lag, int Stalled,
    IReadOnlyList<string> FirstErrors);
