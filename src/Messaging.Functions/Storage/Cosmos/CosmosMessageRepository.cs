using System.Globalization;
using System.Net;
using Messaging.Domain.Common;
using Messaging.Domain.Messages;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Messages in the <c>messages</c> container, partitioned by conversation, with the conversation's
/// sequence counter and client-message-id claims in the same partition so one transactional batch
/// assigns the next sequence, creates the message and claims its idempotency key.
/// </summary>
public sealed partial class CosmosMessageRepository(CosmosStore store, ILogger<CosmosMessageRepository>? logger = null) : IMessageRepository
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    private readonly CommittedSendSteps _committed = new(store, (ILogger?)logger ?? NullLogger.Instance);

    private const int MaxSequenceRetries = 100;

    public async Task<AppendOutcome> AppendAsync(Message message, CancellationToken cancellationToken)
    {
        var conversationId = message.ConversationId;
        if (message.ClientMessageId is { } clientMessageId
            && await FindByClientMessageIdAsync(conversationId, message.SenderId, clientMessageId, cancellationToken) is { } earlier)
        {
            return new AppendOutcome(AppendStatus.Duplicate, earlier);
        }

        var (conversation, _) = await store.Conversations.TryReadAsync<ConversationDocument>(conversationId, conversationId, cancellationToken);
        if (conversation is not { Deleted: false })
        {
            return new AppendOutcome(AppendStatus.ConversationMissing, null);
        }

        // The attachments live in other partitions: claim them first (ETag-guarded), release them if the append does not happen.
        var claims = new CosmosAttachmentClaims(store.Attachments);
        try
        {
            if (!await claims.ClaimAsync(message, cancellationToken))
            {
                await claims.ReleaseAsync(CancellationToken.None);
                return new AppendOutcome(AppendStatus.AttachmentUnavailable, null);
            }

            return await AppendClaimedAsync(message, conversation, claims, cancellationToken);
        }
        catch (Exception)
        {
            // Failed before its batch committed: the claims must not leak. A timeout can hide a batch that did commit; its
            // message then uses the attachments, so they stay claimed (also when that cannot be checked now).
            if (!await MayHaveCommittedAsync(message))
            {
                await claims.ReleaseQuietlyAsync();
            }

            throw;
        }
    }

    private async Task<AppendOutcome> AppendClaimedAsync(Message message, ConversationDocument conversation, CosmosAttachmentClaims claims, CancellationToken cancellationToken)
    {
        var conversationId = message.ConversationId;
        var locator = MessageLocatorDocument.Pending(message.Id, conversationId);
        await store.Conversations.UpsertItemAsync(locator, new PartitionKey(locator.Id), cancellationToken: cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            var (counter, etag) = await store.Messages.TryReadAsync<CounterDocument>(CosmosIds.CounterId, conversationId, cancellationToken);
            if (counter is { Deleted: true })
            {
                await claims.ReleaseAsync(CancellationToken.None);
                return new AppendOutcome(AppendStatus.ConversationMissing, null);
            }

            var sequence = (counter?.LastSequence ?? 0) + 1;
            var nextCounter = new CounterDocument { ConversationId = conversationId, LastSequence = sequence };
            var batch = store.Messages.CreateTransactionalBatch(new PartitionKey(conversationId));
            batch = counter is null
                ? batch.CreateItem(nextCounter)
                : batch.ReplaceItem(CosmosIds.CounterId, nextCounter, new TransactionalBatchItemRequestOptions { IfMatchEtag = etag });
            batch = batch.CreateItem(MessageDocument.From(message, sequence));
            if (message.ClientMessageId is not null)
            {
                batch = batch.CreateItem(new ClientMessageDocument
                {
                    Id = CosmosIds.ClientMessage(message.SenderId, message.ClientMessageId),
                    ConversationId = conversationId,
                    MessageId = message.Id,
                });
            }

            batch = CountReply(batch, message);
            batch = batch.CreateItem(ChangeRecordDocument.ForMessage(conversationId, ChangeRecordKinds.MessageCreated, message.Id, CosmosJson.Ms(message.CreatedAt)));
            using var response = await batch.ExecuteAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                message.AssignSequence(sequence);
                store.Locator.Remember(message.Id, conversationId);
                await Task.WhenAll(_committed.KeepLocatorAsync(message.Id, conversationId, cancellationToken), MarkActiveAsync(conversationId, message, cancellationToken));
                return new AppendOutcome(AppendStatus.Created, message);
            }

            if (ReplyTargetFailed(response, message))
            {
                await claims.ReleaseAsync(CancellationToken.None);
                return new AppendOutcome(AppendStatus.ReplyTargetUnavailable, null);
            }

            var counterStatus = response.Count > 0 ? response[0].StatusCode : response.StatusCode;
            if (counterStatus is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict && attempt < MaxSequenceRetries)
            {
                // Another send took this sequence: read the counter again.
                continue;
            }

            if (message.ClientMessageId is not null && response.Count > 2 && response[2].StatusCode == HttpStatusCode.Conflict)
            {
                await claims.ReleaseAsync(CancellationToken.None);
                var original = await FindByClientMessageIdAsync(conversationId, message.SenderId, message.ClientMessageId, cancellationToken);
                return new AppendOutcome(AppendStatus.Duplicate, original);
            }

            await claims.ReleaseAsync(CancellationToken.None);
            if (counterStatus is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
            {
                throw new ConcurrencyConflictException($"The sequence of conversation {conversationId} kept moving while message {message.Id} was appended.");
            }

            throw CosmosRequestFailedException.Of(response, $"Appending message {message.Id}");
        }
    }

    private async Task<bool> MayHaveCommittedAsync(Message message)
    {
        if (message.Attachments.Count == 0)
        {
            return false;
        }

        try
        {
            var (committed, _) = await store.Messages.TryReadAsync<MessageDocument>(message.Id, message.ConversationId, CancellationToken.None);
            return committed is not null;
        }
        catch (Exception exception) when (exception is CosmosException or HttpRequestException or OperationCanceledException)
        {
            return true;
        }
    }

    public async Task<Message?> GetAsync(string messageId, CancellationToken cancellationToken)
    {
        if (!CosmosIds.CanBeDocumentId(messageId))
        {
            return null;
        }

        if (store.Locator.ConversationOf(messageId) is { } conversationId)
        {
            var (document, _) = await store.Messages.TryReadAsync<MessageDocument>(messageId, conversationId, cancellationToken);
            if (document is { Type: DocumentTypes.Message })
            {
                return await ToMessageAsync(document, cancellationToken);
            }
        }

        // Unknown to this process: its locator names the partition.
        var (locator, _) = await store.Conversations.TryReadAsync<MessageLocatorDocument>(MessageLocatorDocument.IdOf(messageId), MessageLocatorDocument.IdOf(messageId), cancellationToken);
        if (locator is not { Type: DocumentTypes.MessageLocator })
        {
            return null;
        }

        var (message, _) = await store.Messages.TryReadAsync<MessageDocument>(messageId, locator.ConversationId, cancellationToken);
        if (message is not { Type: DocumentTypes.Message })
        {
            return null;
        }

        store.Locator.Remember(message.Id, message.ConversationId);
        if (locator.Ttl != -1)
        {
            // Committed, but the send could not keep its locator: this read does, before it expires.
            await _committed.KeepLocatorAsync(message.Id, message.ConversationId, cancellationToken);
        }

        return await ToMessageAsync(message, cancellationToken);
    }

    public async Task<Message?> FindByClientMessageIdAsync(string conversationId, string senderId, string clientMessageId, CancellationToken cancellationToken)
    {
        var (claim, _) = await store.Messages.TryReadAsync<ClientMessageDocument>(CosmosIds.ClientMessage(senderId, clientMessageId), conversationId, cancellationToken);
        if (claim is null)
        {
            return null;
        }

        var (document, _) = await store.Messages.TryReadAsync<MessageDocument>(claim.MessageId, conversationId, cancellationToken);
        return document is null ? null : await ToMessageAsync(document, cancellationToken);
    }

    public async Task<Result<Page<Message>>> ListNewestFirstAsync(string conversationId, int limit, string? continuationToken, CancellationToken cancellationToken)
    {
        long? before = null;
        if (continuationToken is not null)
        {
            if (!ContinuationToken.TryDecode(continuationToken, out var position)
                || !long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return Error.Invalid("continuationToken", "The continuation token is not valid.");
            }

            before = parsed;
        }

        var query = new QueryDefinition(
                "SELECT TOP @n * FROM c WHERE c.conversationId = @c AND c.type = @type AND c.sequence < @before ORDER BY c.sequence DESC")
            .WithParameter("@n", limit + 1).WithParameter("@c", conversationId).WithParameter("@type", DocumentTypes.Message)
            .WithParameter("@before", before ?? long.MaxValue);
        var rows = await QueryMessagesAsync(conversationId, query, limit + 1, cancellationToken);
        var items = rows.Take(limit).ToList();
        var next = rows.Count > limit ? ContinuationToken.Encode(items[^1].Sequence.ToString(CultureInfo.InvariantCulture)) : null;
        return Result<Page<Message>>.Success(new Page<Message>(items, next));
    }

    public async Task<IReadOnlyList<Message>> ListAfterAsync(string conversationId, long afterSequence, int limit, CancellationToken cancellationToken) =>
        await QueryMessagesAsync(
            conversationId,
            new QueryDefinition("SELECT TOP @n * FROM c WHERE c.conversationId = @c AND c.type = @type AND c.sequence > @after ORDER BY c.sequence ASC")
                .WithParameter("@n", limit).WithParameter("@c", conversationId).WithParameter("@type", DocumentTypes.Message).WithParameter("@after", afterSequence),
            limit,
            cancellationToken);

    public async Task<Message?> GetLatestAsync(string conversationId, CancellationToken cancellationToken)
    {
        var rows = await QueryMessagesAsync(
            conversationId,
            new QueryDefinition("SELECT TOP 1 * FROM c WHERE c.conversationId = @c AND c.type = @type ORDER BY c.sequence DESC")
                .WithParameter("@c", conversationId).WithParameter("@type", DocumentTypes.Message),
            1,
            cancellationToken);
        return rows.Count > 0 ? rows[0] : null;
    }

    private async Task<List<Message>> QueryMessagesAsync(string conversationId, QueryDefinition query, int maxItems, CancellationToken cancellationToken)
    {
        var documents = await store.Messages.QueryAsync<MessageDocument>(query, conversationId, cancellationToken, maxItems);
        foreach (var document in documents)
        {
            store.Locator.Remember(document.Id, conversationId);
        }

        return await ToMessagesAsync(conversationId, documents, cancellationToken);
    }
}
