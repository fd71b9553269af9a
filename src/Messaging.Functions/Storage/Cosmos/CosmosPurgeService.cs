using System.Net;
using Messaging.Domain.Attachments;
using Messaging.Functions.Diagnostics;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Purges deleted conversations in the background (both hosts run it with the Cosmos DB store): finds
/// the soft-deleted conversations whose purge is pending, and works through each a page per step,
/// pausing between pages and slowing down on 429. The progress lives on the conversation document, so
/// a restart resumes (once the lease of the stopped instance has run out).
/// </summary>
public sealed class CosmosPurgeService : BackgroundService
{
    private readonly CosmosStore _store;
    private readonly CosmosConversationPurger _purger;
    private readonly CosmosPurgeOptions _options;
    private readonly PurgePacing _pacing;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly ILogger _logger;

    public CosmosPurgeService(CosmosStore store, IAttachmentContentStore files, TimeProvider time, ILogger<CosmosPurgeService> logger)
        : this(store, files, time, logger, new CosmosPurgeOptions(), (delay, cancellationToken) => Task.Delay(delay, time, cancellationToken))
    {
    }

    /// <summary>Tests pass their own options, owner (a restart is a new owner) and a delay that records the waits instead of sleeping.</summary>
    internal CosmosPurgeService(
        CosmosStore store, IAttachmentContentStore files, TimeProvider time, ILogger logger, CosmosPurgeOptions options, Func<TimeSpan, CancellationToken, Task> delay, string? owner = null)
    {
        _store = store;
        _options = options;
        _pacing = new PurgePacing(options);
        _delay = delay;
        _logger = logger;
        _purger = new CosmosConversationPurger(store, files, time, options, owner ?? $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}");
    }

    /// <summary>The pause the next page waits for.</summary>
    internal TimeSpan CurrentPause => _pacing.Current;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Log.PurgerStarted(_logger, _purger.Owner, _options.PageSize, (long)_options.Pause.TotalMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await PurgePendingAsync(stoppingToken))
                {
                    await _store.PurgeRequests.WaitAsync(_options.IdlePoll, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is CosmosException or HttpRequestException or OperationCanceledException or IOException)
            {
                // 503, timeouts, a missing container at start-up, a failing file delete: the state is on the documents, so try again later.
                Log.PurgeFailed(_logger, exception, (long)_options.IdlePoll.TotalMilliseconds);
                await ((Task)_store.PurgeRequests.WaitAsync(_options.IdlePoll, stoppingToken)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>One pass: every pending conversation this instance may take, to the end. False when there was nothing to do.</summary>
    internal async Task<bool> PurgePendingAsync(CancellationToken cancellationToken)
    {
        var worked = false;
        foreach (var conversationId in await WhileThrottledAsync("(pending)", () => _purger.FindPendingAsync(cancellationToken), cancellationToken))
        {
            worked |= await PurgeAsync(conversationId, cancellationToken);
        }

        return worked;
    }

    /// <summary>Purges one conversation to the end, a paced step at a time; false when another instance holds it.</summary>
    internal async Task<bool> PurgeAsync(string conversationId, CancellationToken cancellationToken)
    {
        if (await _purger.StateOfAsync(conversationId, cancellationToken) is not { } state)
        {
            return false;
        }

        Log.PurgeResumed(_logger, conversationId, state.Phase);
        while (true)
        {
            var progress = await WhileThrottledAsync(conversationId, () => _purger.StepAsync(conversationId, cancellationToken), cancellationToken);
            switch (progress)
            {
                case PurgeProgress.HeldElsewhere:
                    return false;
                case PurgeProgress.Finished:
                    if (await _purger.DoneStateOfAsync(conversationId, cancellationToken) is { } done)
                    {
                        Log.PurgeFinished(_logger, conversationId, done.MessagesDeleted, done.AttachmentsDeleted);
                    }

                    return true;
                default:
                    _pacing.Succeeded();
                    await _delay(_pacing.Current, cancellationToken);
                    break;
            }
        }
    }

    private async Task<T> WhileThrottledAsync<T>(string conversationId, Func<Task<T>> step, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await step();
            }
            catch (CosmosException exception) when (exception.StatusCode == (HttpStatusCode)429)
            {
                _pacing.Throttled(exception.RetryAfter);
                Log.PurgeThrottled(_logger, conversationId, (long)_pacing.Current.TotalMilliseconds);
                await _delay(_pacing.Current, cancellationToken);
            }
        }
    }
}
