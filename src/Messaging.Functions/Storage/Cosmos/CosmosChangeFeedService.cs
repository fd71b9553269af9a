using System.Net;
using Messaging.Domain.Realtime;
using Messaging.Functions.Diagnostics;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Runs the change feed processors (conversations and messages) that feed <see cref="ChangeFanOut"/>.
/// Leases in the lease container spread the partitions over every running instance; a batch is
/// checkpointed after it was handed over, so delivery is at-least-once, and in order within a
/// partition key (one conversation).
/// <para>
/// <see cref="StartAsync"/> returns at once: containers and processors start in the background,
/// retried with capped exponential backoff, so a Cosmos DB hiccup at start (403 while a role
/// assignment propagates, 503) never fails the host or its HTTP functions, and the host starts
/// within the platform's start-up time. Until the processors run, <see cref="ChangeFeedStatus"/>
/// makes <c>/api/health</c> answer <c>degraded</c>. <see cref="StopAsync"/> stops the processors,
/// which releases their leases.
/// </para>
/// </summary>
public sealed class CosmosChangeFeedService : IHostedService, IDisposable
{
    private readonly CosmosOptions _options;
    private readonly string _instance;
    private readonly Func<CancellationToken, Task<Func<Task>>> _start;
    private readonly ChangeFeedStatus _status;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task _run = Task.CompletedTask;
    private Func<Task>? _stop;

    public CosmosChangeFeedService(CosmosStore store, ChangeFanOut fanOut, ChangeFeedStatus status, TimeProvider time, ILogger<CosmosChangeFeedService> logger)
    {
        _options = store.Options;
        _instance = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
        var deadLetters = new CosmosDeadLetters(store.Leases, store.Options.DeadLetterTimeToLive, time);
        var handler = new CosmosChangeBatchHandler(new CosmosChangeMapper(store.Locator), fanOut, deadLetters, store.Options, time, logger);
        _start = new CosmosChangeFeedProcessors(store, handler, _instance, logger).StartAsync;
        _status = status;
        _time = time;
        _logger = logger;
        Log.CosmosStore(logger, store.Options.Database, store.Client?.Endpoint.Host ?? "(given database)");
    }

    /// <summary>
    /// The seam for tests (the SDK's processor does not run on the in-process double):
    /// <paramref name="start"/> is one start attempt; it returns what stops what it started.
    /// </summary>
    public CosmosChangeFeedService(
        CosmosOptions options, string instance, Func<CancellationToken, Task<Func<Task>>> start, ChangeFeedStatus status, TimeProvider time, ILogger logger)
    {
        _options = options;
        _instance = instance;
        _start = start;
        _status = status;
        _time = time;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Log.ChangeFeedStarting(_logger, _options.Database);
        _run = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _run.WaitAsync(cancellationToken);
        _status.Stopped();
        if (Interlocked.Exchange(ref _stop, null) is { } stop)
        {
            try
            {
                await stop().WaitAsync(cancellationToken);
                Log.ChangeFeedStopped(_logger, _instance);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                Log.ChangeFeedStopFailed(_logger, exception, _instance);
            }
        }
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>The wait after failed attempt <paramref name="attempt"/>: doubling from the first delay, capped, ±20 % by <paramref name="unitRandom"/> (0..1) so instances do not retry in step.</summary>
    public static TimeSpan RetryDelay(int attempt, TimeSpan initial, TimeSpan max, double unitRandom)
    {
        var doubled = initial * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = doubled < max ? doubled : max;
        return capped * (0.8 + (0.4 * Math.Clamp(unitRandom, 0, 1)));
    }

    /// <summary>What the health endpoint and the log say of a failure: its type and status, never its message.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        CosmosException cosmos => $"CosmosException {(int)cosmos.StatusCode} {cosmos.StatusCode}",
        HttpRequestException { StatusCode: HttpStatusCode status } => $"HttpRequestException {(int)status} {status}",
        _ => exception.GetType().Name,
    };

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _stop = await _start(cancellationToken);
                _status.Running();
                Log.ChangeFeedStarted(
                    _logger, _instance, attempt, Ms(_options.ChangeFeedPollInterval), Ms(_options.LeaseRenewInterval), Ms(_options.LeaseExpirationInterval), Ms(_options.LeaseAcquireInterval));
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                var delay = RetryDelay(attempt, _options.StartRetryInitialDelay, _options.StartRetryMaxDelay, Random.Shared.NextDouble());
                var error = Describe(exception);
                _status.Retrying(attempt, error, delay);
                Log.ChangeFeedStartFailed(_logger, exception, attempt, error, Ms(delay));
                try
                {
                    await Task.Delay(delay, _time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private static long Ms(TimeSpan value) => (long)value.TotalMilliseconds;
}
