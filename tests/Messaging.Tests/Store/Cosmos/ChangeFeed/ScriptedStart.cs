using System.Collections.Concurrent;
using System.Net;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;

namespace Messaging.Tests.Store.Cosmos.ChangeFeed;

/// <summary>
/// Start attempts of the change feed processors, scripted: the SDK's ChangeFeedProcessor does not
/// run on the in-process double (its StartAsync reads the monitored container's and the lease
/// container's metadata, which UnmodelledContainer does not model), so the service is driven through
/// its start seam. The failures are the ones the processor's StartAsync surfaces as CosmosException
/// (https://learn.microsoft.com/rest/api/cosmos-db/http-status-codes-for-cosmosdb): 403 while a
/// data-plane role assignment propagates (https://learn.microsoft.com/azure/cosmos-db/how-to-setup-rbac),
/// 503 when the service is unavailable.
/// </summary>
public sealed class ScriptedStart
{
    private readonly ConcurrentQueue<Func<CancellationToken, Task>> _steps = new();
    private int _attempts;
    private int _stops;

    public int Attempts => Volatile.Read(ref _attempts);

    public int Stops => Volatile.Read(ref _stops);

    /// <summary>Completes when an attempt succeeded.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The next attempt fails with <paramref name="status"/>, after <paramref name="gate"/> completes when one is given.</summary>
    public ScriptedStart ThenFail(HttpStatusCode status, Task? gate = null)
    {
        _steps.Enqueue(async cancellationToken =>
        {
            await (gate ?? Task.CompletedTask).WaitAsync(cancellationToken);
            throw new CosmosException($"scripted {(int)status}", status, 0, "activity", 1);
        });
        return this;
    }

    /// <summary>The next attempt succeeds once <paramref name="gate"/> completes (attempts after the script succeed at once).</summary>
    public ScriptedStart ThenSucceedAfter(Task gate)
    {
        _steps.Enqueue(cancellationToken => gate.WaitAsync(cancellationToken));
        return this;
    }

    /// <summary>One start attempt: the next step of the script, or success once the script is spent.</summary>
    public async Task<Func<Task>> StartAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        if (_steps.TryDequeue(out var step))
        {
            await step(cancellationToken);
        }

        Started.TrySetResult();
        return () =>
        {
            Interlocked.Increment(ref _stops);
            return Task.CompletedTask;
        };
    }
}

/// <summary>Log entries with their event ids.</summary>
public sealed class ListLogger : ILogger
{
    public ConcurrentQueue<(EventId Id, LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((eventId, logLevel, formatter(state, exception), exception));
}
