using System.Net;
using Messaging.Domain.Common;
using Messaging.Domain.Messages;
using Messaging.Domain.Realtime;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Reactions in the <c>messages</c> container, in the conversation's partition: a document per
/// (message, user, reaction) and one counters document per message. Each change is one
/// transactional batch of the reaction document, the counters (ETag-guarded) and the change record,
/// so the event comes from the change feed and the distinct-reaction limit holds under concurrency.
/// </summary>
public sealed class CosmosReactionRepository(CosmosStore store) : IReactionRepository
{
    private const int MaxAttempts = 100;

    public async Task<ReactionOutcome> AddAsync(Message message, string userId, Reaction reaction, int maxDistinct, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var reactionId = CosmosIds.Reaction(message.Id, userId, reaction.Value);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (counts, etag) = await store.Messages.TryReadAsync<ReactionCountsDocument>(CosmosIds.ReactionCounts(message.Id), message.ConversationId, cancellationToken);
            if (counts is { Deleted: true })
            {
                return new ReactionOutcome(ReactionStatus.MessageDeleted);
            }

            var entry = counts?.Counts.Find(c => c.Reaction == reaction.Value);
            var (mine, _) = await store.Messages.TryReadAsync<ReactionDocument>(reactionId, message.ConversationId, cancellationToken);
            if (mine is not null)
            {
                return new ReactionOutcome(ReactionStatus.Unchanged, entry?.Count ?? 0);
            }

            if (entry is null && counts is not null && counts.Counts.Count >= maxDistinct)
            {
                return new ReactionOutcome(ReactionStatus.TooManyDistinct);
            }

            var next = counts ?? ReactionCountsDocument.Empty(message.ConversationId, message.Id);
            if (entry is null)
            {
                next.Counts.Add(entry = new ReactionCountEntry { Reaction = reaction.Value, FirstAt = CosmosJson.Ms(at) });
            }

            entry.Count++;
            var document = new ReactionDocument
            {
                Id = reactionId,
                ConversationId = message.ConversationId,
                MessageId = message.Id,
                UserId = userId,
                Reaction = reaction.Value,
                CreatedAt = CosmosJson.Ms(at),
            };
            var change = new ReactionChanged(message.ConversationId, message.Id, userId, reaction.Value, entry.Count, Added: true);
            var status = await store.Messages.CommitWithRecordAsync(
                message.ConversationId,
                batch => WriteCounts(batch.CreateItem(document), next, etag),
                ChangeRecordDocument.ForReaction(change, CosmosJson.Ms(at)),
                cancellationToken);
            if (status == HttpStatusCode.OK)
            {
                return new ReactionOutcome(ReactionStatus.Changed, entry.Count);
            }

            // 409 on the reaction: the same user's concurrent add won (the next read sees it); 412/409 on the counters: another reaction or the tombstone won.
        }

        throw new ConcurrencyConflictException($"The reactions of message {message.Id} kept changing while one was added.");
    }

    public async Task<ReactionOutcome> RemoveAsync(Message message, string userId, Reaction reaction, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var reactionId = CosmosIds.Reaction(message.Id, userId, reaction.Value);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (counts, etag) = await store.Messages.TryReadAsync<ReactionCountsDocument>(CosmosIds.ReactionCounts(message.Id), message.ConversationId, cancellationToken);
            var entry = counts?.Counts.Find(c => c.Reaction == reaction.Value);
            var (mine, mineEtag) = await store.Messages.TryReadAsync<ReactionDocument>(reactionId, message.ConversationId, cancellationToken);
            if (mine is null || counts is null || counts.Deleted)
            {
                // Not given, or left behind by a tombstone (which has no reactions any more): nothing to remove.
                return new ReactionOutcome(ReactionStatus.Unchanged, entry?.Count ?? 0);
            }

            var count = Math.Max(0, (entry?.Count ?? 0) - 1);
            if (entry is not null)
            {
                entry.Count = count;
            }

            // A reaction nobody gives any more leaves the counters, so it no longer counts towards the limit.
            counts.Counts.RemoveAll(c => c.Count <= 0);
            var change = new ReactionChanged(message.ConversationId, message.Id, userId, reaction.Value, count, Added: false);
            var status = await store.Messages.CommitWithRecordAsync(
                message.ConversationId,
                batch => WriteCounts(batch.DeleteItem(reactionId, new TransactionalBatchItemRequestOptions { IfMatchEtag = mineEtag }), counts, etag),
                ChangeRecordDocument.ForReaction(change, CosmosJson.Ms(at)),
                cancellationToken);
            if (status == HttpStatusCode.OK)
            {
                return new ReactionOutcome(ReactionStatus.Changed, count);
            }
        }

        throw new ConcurrencyConflictException($"The reactions of message {message.Id} kept changing while one was removed.");
    }

    public async Task<IReadOnlyDictionary<string, MessageReactions>> GetAsync(
        string conversationId, IReadOnlyCollection<string> messageIds, string? viewerId, CancellationToken cancellationToken)
    {
        var ids = messageIds.Where(CosmosIds.CanBeDocumentId).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return new Dictionary<string, MessageReactions>();
        }

        if (viewerId is null && ids.Count == 1)
        {
            // One message for everyone (an event): a point read of its counters.
            var (counts, _) = await store.Messages.TryReadAsync<ReactionCountsDocument>(CosmosIds.ReactionCounts(ids[0]), conversationId, cancellationToken);
            return counts is { Deleted: false, Counts.Count: > 0 }
                ? new Dictionary<string, MessageReactions> { [ids[0]] = new(counts.ToCounts(), []) }
                : new Dictionary<string, MessageReactions>();
        }

        // One query in the partition for the whole page: the counters of its messages and the viewer's own reactions.
        var query = viewerId is null
            ? new QueryDefinition("SELECT * FROM c WHERE c.type = @counts AND ARRAY_CONTAINS(@ids, c.reactsTo)")
            : new QueryDefinition("SELECT * FROM c WHERE (c.type = @counts OR (c.type = @reaction AND c.reactor = @u)) AND ARRAY_CONTAINS(@ids, c.reactsTo)")
                .WithParameter("@reaction", DocumentTypes.Reaction).WithParameter("@u", viewerId);
        var rows = await store.Messages.QueryAsync<ReactionRow>(
            query.WithParameter("@counts", DocumentTypes.ReactionCounts).WithParameter("@ids", ids), conversationId, cancellationToken);
        return rows.GroupBy(r => r.MessageId, StringComparer.Ordinal).ToDictionary(
            group => group.Key,
            group => new MessageReactions(
                group.FirstOrDefault(r => r.Type == DocumentTypes.ReactionCounts && !r.Deleted) is { } counts
                    ? MessageReactions.Order(counts.Counts.Select(c => new ReactionCount(c.Reaction, c.Count, CosmosJson.Time(c.FirstAt))))
                    : [],
                [.. group.Where(r => r.Type == DocumentTypes.Reaction && r.Reaction is not null).Select(r => r.Reaction!).Order(StringComparer.Ordinal)]),
            StringComparer.Ordinal);
    }

    private static TransactionalBatch WriteCounts(TransactionalBatch batch, ReactionCountsDocument counts, string? etag) =>
        etag is null
            ? batch.CreateItem(counts)
            : batch.ReplaceItem(counts.Id, counts, new TransactionalBatchItemRequestOptions { IfMatchEtag = etag });

    /// <summary>A row of the page query: a counters document or one of the viewer's reactions.</summary>
    private sealed class ReactionRow
    {
        public required string Type { get; set; }

        [System.Text.Json.Serialization.JsonPropertyName("reactsTo")]
        public required string MessageId { get; set; }

        public string? Reaction { get; set; }

        public List<ReactionCountEntry> Counts { get; set; } = [];

        public bool Deleted { get; set; }
    }
}
