using System.Collections.Concurrent;
using Islander.Controller.Tests.Api;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.Tests.Cli;

/// <summary>
/// The API requests of one <c>islanderctl run --rm</c>, as islanderd counts them (Kestrel's "Request starting" log): a
/// watch of the one isle, whose lines carry its status, the create, the log, the delete. Each status read of its own
/// would be one more.
/// </summary>
public sealed class RunRequestsTests : IAsyncDisposable
{
    readonly DaemonFixture _d = new();
    readonly RequestLog _requests = new();

    public async ValueTask DisposeAsync() => await _d.DisposeAsync();

    [Fact]
    public async Task RunRm_MakesFourRequests_TheWatchOfTheIsleCarriesItsStatus()
    {
        await _d.StartAsync(b =>
        {
            b.Logging.AddProvider(_requests);
            b.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Information);
        });
        var run = _d.CtlAsync("run", "--rm", "--name", "job", "--rootfs", "/srv/rootfs/busybox", "--", "sh", "-c", "echo hi; exit 3");
        await _d.WaitAsync(() => _d.Runtime.IsRunning("job"), TimeSpan.FromSeconds(10), "isle job to run");
        _d.Runtime.WriteLog("job", "hi");
        _d.Runtime.Exit("job", 3);

        var (exit, output, error) = await run;

        Assert.True(exit == 3, error);
        Assert.Equal("hi\n", output);
        Assert.Equal(
            [
                "DELETE /apis/islander.io/v1/isles/job",
                "GET /apis/islander.io/v1/isles/job/log?follow=true",
                "GET /apis/islander.io/v1/isles?watch=true&fieldSelector=metadata.name%3Djob",
                "POST /apis/islander.io/v1/isles?source=islanderctl%20run",
            ],
            _requests.Started.Order(StringComparer.Ordinal));
    }

    /// <summary>"METHOD path?query" of each request islanderd began.</summary>
    sealed class RequestLog : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Started { get; } = new();

        public ILogger CreateLogger(string categoryName) => categoryName == "Microsoft.AspNetCore.Hosting.Diagnostics" ? this : NullLogger;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is not IReadOnlyList<KeyValuePair<string, object?>> fields || eventId.Id != 1) return; // 1: RequestStarting
            string Field(string name) => fields.FirstOrDefault(f => f.Key == name).Value?.ToString() ?? "";
            Started.Enqueue($"{Field("Method")} {Field("PathBase")}{Field("Path")}{Field("QueryString")}");
        }

        public void Dispose() { }

        static readonly ILogger NullLogger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }
}
