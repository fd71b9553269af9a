using System.Text.Json;
using Messaging.Domain.Realtime;
using Messaging.Functions.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// What happens to one change feed batch (documents → committed changes → fan-out). The change feed
/// processor calls it per lease; tests call it with batches read from an in-process feed.
/// </summary>
public sealed class CosmosChangeBatchHandler
{
    private readonly CosmosChangeMapper _mapper;
    private readonly ChangeFanOut _fanOut;
    private readonly ILogger _logger;

    public CosmosChangeBatchHandler(CosmosChangeMapper mapper, ChangeFanOut fanOut, ILogger logger)
    {
        _mapper = mapper;
        _fanOut = fanOut;
        _logger = logger;
    }

    /// <summary>A batch of the <c>conversations</c> container.</summary>
    public Task HandleConversationsAsync(string leaseToken, IEnumerable<JsonElement> documents, CancellationToken cancellationToken) =>
        HandleAsync(leaseToken, documents, _mapper.MapConversations, cancellationToken);

    /// <summary>A batch of the <c>messages</c> container.</summary>
    public Task HandleMessagesAsync(string leaseToken, IEnumerable<JsonElement> documents, CancellationToken cancellationToken) =>
        HandleAsync(leaseToken, documents, _mapper.MapMessages, cancellationToken);

    private async Task HandleAsync(
        string leaseToken, IEnumerable<JsonElement> documents, Func<IEnumerable<JsonElement>, IReadOnlyList<CommittedChange>> map, CancellationToken cancellationToken)
    {
        // One document at a time (the mapper treats each on its own), so each change keeps its
        // document's record time; the batch is then handled by conversation, in parallel.
        var batch = new List<(CommittedChange Change, long? CommittedAtMs)>();
        foreach (var document in documents)
        {
            batch.AddRange(map([document]).Select(change => (change, MessagingMetrics.CosmosTimestampMs(document))));
        }

        await ChangeBatch.HandleAsync(batch, item => item.Change, (item, token) => PublishAsync(leaseToken, item.Change, item.CommittedAtMs, token), cancellationToken);
    }

    private async Task PublishAsync(string leaseToken, CommittedChange change, long? committedAtMs, CancellationToken cancellationToken)
    {
        using var publication = MessagingMetrics.StartPublication(MessagingMetrics.Cosmos, change, committedAtMs);
        if (await _fanOut.HandleWithRetriesAsync(change, cancellationToken) is { } failure)
        {
            Log.CosmosChangeDropped(_logger, failure, leaseToken, change.GetType().Name, change.ConversationId);
            return;
        }

        publication.Succeeded();
    }
}
