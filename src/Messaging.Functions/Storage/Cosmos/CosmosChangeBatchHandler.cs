using System.Text.Json;
using Messaging.Domain.Realtime;
using Messaging.Functions.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// What happens to one change feed batch (documents → committed changes → fan-out). The change feed
/// processor calls it per lease and checkpoints the batch when it returns; tests call it with
/// batches read from an in-process feed.
/// <para>
/// A record that fails every time (poison, see <see cref="ChangeFailureRule"/>) is written to the
/// dead letters and the batch goes on, so one record never stalls its lease. A transient fan-out
/// failure is retried with backoff, holding only its conversation's place, for at most
/// <see cref="CosmosOptions.FanOutRetryBudget"/>, then dead-lettered. If writing a dead letter fails,
/// the batch throws: it is not checkpointed and the processor delivers it again.
/// </para>
/// </summary>
public sealed class CosmosChangeBatchHandler
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);
    private readonly CosmosChangeMapper _mapper;
    private readonly AnnouncedChanges _announced = new();
    private readonly ChangeFanOut _fanOut;
    private readonly IChangeDeadLetters? _deadLetters;
    private readonly TimeSpan _retryBudget;
    private readonly TimeSpan _retryInitialDelay;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Without a dead-letter store (tests): poison is logged only, and transient failures get the default budget.</summary>
    public CosmosChangeBatchHandler(CosmosChangeMapper mapper, ChangeFanOut fanOut, ILogger logger)
        : this(mapper, fanOut, null, new CosmosOptions(), TimeProvider.System, logger)
    {
    }

    public CosmosChangeBatchHandler(
        CosmosChangeMapper mapper, ChangeFanOut fanOut, IChangeDeadLetters? deadLetters, CosmosOptions options, TimeProvider time, ILogger logger)
    {
        _mapper = mapper;
        _fanOut = fanOut;
        _deadLetters = deadLetters;
        _retryBudget = options.FanOutRetryBudget;
        _retryInitialDelay = options.FanOutRetryInitialDelay;
        _time = time;
        _logger = logger;
    }

    /// <summary>A batch of the <c>conversations</c> container.</summary>
    public Task HandleConversationsAsync(string leaseToken, IEnumerable<JsonElement> documents, CancellationToken cancellationToken) =>
        HandleAsync(CosmosStore.ConversationsContainer, leaseToken, documents, _mapper.MapConversations, cancellationToken);

    /// <summary>A batch of the <c>messages</c> container.</summary>
    public Task HandleMessagesAsync(string leaseToken, IEnumerable<JsonElement> documents, CancellationToken cancellationToken) =>
        HandleAsync(CosmosStore.MessagesContainer, leaseToken, documents, _mapper.MapMessages, cancellationToken);

    private async Task HandleAsync(
        string container, string leaseToken, IEnumerable<JsonElement> documents, Func<IEnumerable<JsonElement>, IReadOnlyList<RecordedChange>> map, CancellationToken cancellationToken)
    {
        // One document at a time (the mapper treats each on its own), so each change keeps its
        // document's record time and a document the mapper throws on is set aside alone.
        var batch = new List<Item>();
        foreach (var document in documents)
        {
            var source = Source.Of(document);
            IReadOnlyList<RecordedChange> changes;
            try
            {
                changes = map([document]);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                await DeadLetterAsync(new DeadLetter(leaseToken, container, source.Id, source.Lsn, DeadLetterStage.Mapping, null, exception), cancellationToken);
                continue;
            }

            batch.AddRange(changes
                .Where(recorded => !_announced.IsFinished(recorded.RecordId))
                .Select(recorded => new Item(recorded.RecordId, recorded.Change, MessagingMetrics.CosmosTimestampMs(document), source)));
        }

        await ChangeBatch.HandleAsync(batch, item => item.Change, (item, token) => PublishAsync(container, leaseToken, item, token), cancellationToken);
    }

    private async Task PublishAsync(string container, string leaseToken, Item item, CancellationToken cancellationToken)
    {
        await PublishOrDeadLetterAsync(container, leaseToken, item, cancellationToken);
        _announced.Finish(item.RecordId);
    }

    private async Task PublishOrDeadLetterAsync(string container, string leaseToken, Item item, CancellationToken cancellationToken)
    {
        using var publication = MessagingMetrics.StartPublication(MessagingMetrics.Cosmos, item.Change, item.CommittedAtMs);
        var started = _time.GetTimestamp();
        for (var round = 1; ; round++)
        {
            var failure = await FanOutAsync(item.Change, cancellationToken);
            if (failure is null)
            {
                publication.Succeeded();
                return;
            }

            var kind = item.Change.GetType().Name;
            if (!ChangeFailureRule.IsTransient(failure))
            {
                await DeadLetterAsync(new DeadLetter(leaseToken, container, item.Source.Id, item.Source.Lsn, DeadLetterStage.FanOut, kind, failure), cancellationToken);
                return;
            }

            var delay = RetryDelay(round);
            if (_time.GetElapsedTime(started) + delay > _retryBudget)
            {
                await DeadLetterAsync(new DeadLetter(leaseToken, container, item.Source.Id, item.Source.Lsn, DeadLetterStage.FanOutRetriesExhausted, kind, failure), cancellationToken);
                return;
            }

            Log.ChangeFanOutRetrying(_logger, failure, leaseToken, container, kind, item.Change.ConversationId, round, (long)delay.TotalMilliseconds);
            await Task.Delay(delay, _time, cancellationToken);
        }
    }

    /// <summary>The fan-out with its own quick retries; a timeout that is not this batch's cancellation counts as a failure.</summary>
    private async Task<Exception?> FanOutAsync(CommittedChange change, CancellationToken cancellationToken)
    {
        try
        {
            return await _fanOut.HandleWithRetriesAsync(change, cancellationToken);
        }
        catch (OperationCanceledException timeout) when (!cancellationToken.IsCancellationRequested)
        {
            return new TimeoutException("The fan-out timed out.", timeout);
        }
    }

    private TimeSpan RetryDelay(int round)
    {
        var delay = _retryInitialDelay * Math.Pow(2, Math.Min(round - 1, 16));
        return delay < MaxRetryDelay ? delay : MaxRetryDelay;
    }

    private async Task DeadLetterAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        var recordId = _deadLetters is null ? "(not recorded)" : await _deadLetters.WriteAsync(letter, cancellationToken);
        Log.ChangeDeadLettered(
            _logger, letter.Error, letter.Stage.ToString(), letter.Container, letter.DocumentId, letter.LeaseToken, letter.Error.GetType().Name, recordId);
    }

    private sealed record Item(string RecordId, CommittedChange Change, long? CommittedAtMs, Source Source);

    /// <summary>The id and log sequence number (<c>_lsn</c>) of a feed document, as far as it has them.</summary>
    private sealed record Source(string Id, string? Lsn)
    {
        public static Source Of(JsonElement document)
        {
            if (document.ValueKind != JsonValueKind.Object)
            {
                return new Source("(not an object)", null);
            }

            var id = document.TryGetProperty("id", out var idValue) && idValue.ValueKind == JsonValueKind.String ? idValue.GetString()! : "(no id)";
            var lsn = document.TryGetProperty("_lsn", out var lsnValue) && lsnValue.ValueKind is JsonValueKind.Number or JsonValueKind.String
                ? lsnValue.ToString()
                : null;
            return new Source(id, lsn);
        }
    }
}
