using Messaging.Domain.Realtime;
using Messaging.Functions.Storage.Cosmos;
using Messaging.Functions.Storage.Sqlite;
using Messaging.Tests.Store.Cosmos.Double;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messaging.Tests.SignalRService;

/// <summary>Where <see cref="DeliveryWorld"/> reads committed changes from: the store's own change stream, read as late and in batches as the test likes.</summary>
public interface IDeliveryFeed
{
    /// <summary>Hands the next changes (at most <paramref name="count"/> items of each stream) to the fan-out as one batch.</summary>
    Task<bool> DeliverAsync(int count);

    /// <summary>Hands the last batch over again, as a change feed does after a lease moves before its checkpoint.</summary>
    Task RedeliverAsync();
}

/// <summary>The embedded store's outbox, read after a cursor as the SQLite dispatcher reads it.</summary>
internal sealed class SqliteDeliveryFeed(SqliteDatabase database, ChangeFanOut fanOut) : IDeliveryFeed
{
    private long _cursor;
    private IReadOnlyList<(long Position, CommittedChange Change, long? RecordedAt)> _lastBatch = [];

    public async Task<bool> DeliverAsync(int count)
    {
        var batch = await database.ReadAsync(connection => SqliteChangeLog.ReadAfterAsync(connection, _cursor, count, CancellationToken.None), CancellationToken.None);
        if (batch.Count == 0)
        {
            return false;
        }

        _cursor = batch[^1].Position;
        _lastBatch = batch;
        await HandleAsync(batch);
        return true;
    }

    public Task RedeliverAsync() => HandleAsync(_lastBatch);

    private Task HandleAsync(IReadOnlyList<(long Position, CommittedChange Change, long? RecordedAt)> batch) =>
        ChangeBatch.HandleAsync(batch, item => item.Change, (item, token) => fanOut.HandleWithRetriesAsync(item.Change, token), CancellationToken.None);
}

/// <summary>
/// The two latest-version change feeds of the Cosmos DB double (conversations and messages), each
/// with its own continuation as two processors have, handed to the production batch handler.
/// </summary>
internal sealed class CosmosDeliveryFeed(DoubleDatabase database, ChangeFanOut fanOut) : IDeliveryFeed
{
    private readonly CosmosChangeBatchHandler _handler = new(new CosmosChangeMapper(), fanOut, NullLogger.Instance);
    private long _conversations;
    private long _messages;
    private (IReadOnlyList<System.Text.Json.JsonElement> Conversations, IReadOnlyList<System.Text.Json.JsonElement> Messages) _lastBatch = ([], []);

    public async Task<bool> DeliverAsync(int count)
    {
        var (conversations, c) = database.Container(CosmosStore.ConversationsContainer).ReadChangeFeed(_conversations, count);
        var (messages, m) = database.Container(CosmosStore.MessagesContainer).ReadChangeFeed(_messages, count);
        (_conversations, _messages) = (c, m);
        if (conversations.Count == 0 && messages.Count == 0)
        {
            return false;
        }

        _lastBatch = (conversations, messages);
        await RedeliverAsync();
        return true;
    }

    public async Task RedeliverAsync()
    {
        await _handler.HandleConversationsAsync("0", _lastBatch.Conversations, CancellationToken.None);
        await _handler.HandleMessagesAsync("1", _lastBatch.Messages, CancellationToken.None);
    }
}
