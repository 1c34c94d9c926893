namespace Islander.Model;

/// <summary>
/// An isle's <c>healthcheck</c>: one probe (exactly one of <see cref="Exec"/>, <see cref="Http"/> and <see cref="Tcp"/>)
/// run every <see cref="Interval"/> while the isle runs. <see cref="Retries"/> failures in a row make it unhealthy;
/// failures within <see cref="StartPeriod"/> of its start do not count until it has once been healthy (Docker's
/// start period). The defaults are Kubernetes' liveness probe's (period 10 s, failureThreshold 3, no initial delay)
/// but for the timeout, 5 s: Kubernetes' 1 s does not always cover an exec check (a process forked into the isle) on a
/// busy host, and Docker's 30 s hides a hung service for long.
/// </summary>
/// <remarks>
/// Not part of what runs: a change is applied to the running isle without restarting it, so it is left out of
/// <see cref="SpecHash"/>.
/// </remarks>
public sealed record IsleHealthCheck
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);
    public const int DefaultRetries = 3;

    /// <summary>The shortest interval: a check every second at most.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(1);

    /// <summary>A command run inside the isle, as <c>islanderctl exec</c> runs it; exit code 0 is healthy.</summary>
    public IReadOnlyList<string> Exec { get; init; } = [];

    /// <summary>An HTTP GET from inside the isle's network namespace to its loopback; 200-399 is healthy.</summary>
    public HttpHealthCheck? Http { get; init; }

    /// <summary>A TCP connect from inside the isle's network namespace to its loopback; a connection is healthy.</summary>
    public TcpHealthCheck? Tcp { get; init; }

    public TimeSpan Interval { get; init; } = DefaultInterval;

    /// <summary>A check that takes longer fails (an exec check's process is killed). May exceed the interval: checks never overlap.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Consecutive failures that make the isle unhealthy (Kubernetes' failureThreshold).</summary>
    public int Retries { get; init; } = DefaultRetries;

    public TimeSpan StartPeriod { get; init; }

    /// <summary>What is checked, for messages: <c>exec [test, -e, /ready]</c>, <c>http :8080/healthz</c>, <c>tcp :5432</c>.</summary>
    public string Describe() =>
        Http is { } h ? $"http :{h.Port}{h.Path}" : Tcp is { } t ? $"tcp :{t.Port}" : $"exec [{string.Join(", ", Exec)}]";
}
