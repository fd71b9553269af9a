using System.Globalization;
using System.Net;
using Messaging.Domain.Common;
using Messaging.Domain.Messages;
using Messaging.Domain.Realtime;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Reactions in the <c>messages</c> container, in the conversation's partition (docs/decisions/0013):
/// a document per (message, user, kind), a counter per (message, kind) and one kinds document per
/// message. A reaction of a kind already there is one batch of the reaction document, a patch
/// <c>Increment</c> of its counter and the change record, which its concurrent peers do not contend
/// on; only a kind appearing or disappearing replaces the ETag-guarded kinds document, so the
/// distinct-kind limit holds under concurrency.
/// </summary>
public sealed partial class CosmosReactionRepository(CosmosStore store) : IReactionRepository
{
    private const int MaxAttempts = 100;

    public async Task<ReactionOutcome> AddAsync(Message message, string userId, Reaction reaction, int maxDistinct, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var partition = message.ConversationId;
        var document = new ReactionDocument
        {
            Id = CosmosIds.Reaction(message.Id, userId, reaction.Value),
            ConversationId = partition,
            MessageId = message.Id,
            UserId = userId,
            Reaction = reaction.Value,
            CreatedAt = CosmosJson.Ms(at),
        };
        if (!await IsParticipantAsync(message.ConversationId, userId, cancellationToken))
        {
            return new ReactionOutcome(ReactionStatus.NotParticipant);
        }

        var exact = true;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (counter, _) = await ReadCounterAsync(message, reaction, cancellationToken);
            var (mine, _) = await store.Messages.TryReadAsync<ReactionDocument>(document.Id, partition, cancellationToken);
            if (counter is null)
            {
                var (kinds, kindsEtag) = await store.Messages.TryReadAsync<ReactionKindsDocument>(CosmosIds.ReactionKinds(message.Id), partition, cancellationToken);
                if (kinds is { Deleted: true })
                {
                    return new ReactionOutcome(ReactionStatus.MessageDeleted);
                }

                if (mine is not null)
                {
                    return new ReactionOutcome(ReactionStatus.Unchanged, 0);
                }

                if (kinds is not null && kinds.Kinds.Count >= maxDistinct)
                {
                    return new ReactionOutcome(ReactionStatus.TooManyDistinct);
                }

                // The kind appears: its counter and the kinds document change with the reaction (409/412 when another reactor or the tombstone won).
                var next = kinds ?? ReactionKindsDocument.Empty(partition, message.Id);
                next.Kinds.Add(reaction.Value);
                var first = new ReactionCounterDocument
                {
                    Id = CosmosIds.ReactionCounter(message.Id, reaction.Value),
                    ConversationId = partition,
                    MessageId = message.Id,
                    Reaction = reaction.Value,
                    Count = 1,
                    FirstAt = CosmosJson.Ms(at),
                };
                var status = await store.Messages.CommitWithRecordAsync(
                    partition, batch => WriteKinds(batch.CreateItem(document).CreateItem(first), next, kindsEtag), Record(message, userId, reaction, 1, added: true, at), cancellationToken);
                if (status == HttpStatusCode.OK)
                {
                    return new ReactionOutcome(ReactionStatus.Changed, 1);
                }

                continue;
            }

            if (mine is not null)
            {
                return new ReactionOutcome(ReactionStatus.Unchanged, counter.Count);
            }

            var (outcome, count) = await IncrementAsync(message, userId, reaction, +1, exact ? counter.Count : null, batch => batch.CreateItem(document), at, cancellationToken);
            if (outcome == HttpStatusCode.OK)
            {
                return new ReactionOutcome(ReactionStatus.Changed, count);
            }

            // 412: the counter moved since it was read, so the next try increments it whatever it is; 409: the same user's add won; 404: the kind went.
            exact &= outcome != HttpStatusCode.PreconditionFailed;
        }

        throw new ConcurrencyConflictException($"The reactions of message {message.Id} kept changing while one was added.");
    }

    public async Task<ReactionOutcome> RemoveAsync(Message message, string userId, Reaction reaction, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var partition = message.ConversationId;
        var reactionId = CosmosIds.Reaction(message.Id, userId, reaction.Value);
        if (!await IsParticipantAsync(message.ConversationId, userId, cancellationToken))
        {
            return new ReactionOutcome(ReactionStatus.NotParticipant);
        }

        var exact = true;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (counter, counterEtag) = await ReadCounterAsync(message, reaction, cancellationToken);
            var (mine, mineEtag) = await store.Messages.TryReadAsync<ReactionDocument>(reactionId, partition, cancellationToken);
            if (mine is null || counter is null)
            {
                // Not given, or left behind by a tombstone (which deleted the counters): nothing to remove.
                return new ReactionOutcome(ReactionStatus.Unchanged, counter?.Count ?? 0);
            }

            var deleteMine = new TransactionalBatchItemRequestOptions { IfMatchEtag = mineEtag };
            if (counter.Count > 1)
            {
                var (outcome, count) = await IncrementAsync(message, userId, reaction, -1, exact ? counter.Count : null, batch => batch.DeleteItem(reactionId, deleteMine), at, cancellationToken);
                if (outcome == HttpStatusCode.OK)
                {
                    return new ReactionOutcome(ReactionStatus.Changed, count);
                }

                exact &= outcome != HttpStatusCode.PreconditionFailed;
                continue;
            }

            // The last one of its kind: the kind leaves the kinds document (so it no longer counts towards the limit) with its counter.
            var (kinds, kindsEtag) = await store.Messages.TryReadAsync<ReactionKindsDocument>(CosmosIds.ReactionKinds(message.Id), partition, cancellationToken);
            if (kinds is null || kinds.Deleted)
            {
                continue;
            }

            kinds.Kinds.Remove(reaction.Value);
            var status = await store.Messages.CommitWithRecordAsync(
                partition,
                batch => WriteKinds(
                    batch.DeleteItem(reactionId, deleteMine).DeleteItem(counter.Id, new TransactionalBatchItemRequestOptions { IfMatchEtag = counterEtag }), kinds, kindsEtag),
                Record(message, userId, reaction, 0, added: false, at),
                cancellationToken);
            if (status == HttpStatusCode.OK)
            {
                return new ReactionOutcome(ReactionStatus.Changed, 0);
            }
        }

        throw new ConcurrencyConflictException($"The reactions of message {message.Id} kept changing while one was removed.");
    }

    /// <summary>
    /// One batch: the counter's patch <c>Increment</c> first (its answer carries the count after it), the
    /// reaction document's change, the change record. With <paramref name="seen"/>, a filter predicate
    /// holds the counter to it, so the record carries the exact count after the change; without, the
    /// record leaves the count to be read when the event is sent, and no concurrent reactor can refuse
    /// the batch. A decrement never takes the counter below 1: the last reaction of a kind goes through
    /// the kinds document.
    /// </summary>
    private async Task<(HttpStatusCode Status, int Count)> IncrementAsync(
        Message message, string userId, Reaction reaction, int by, int? seen, Func<TransactionalBatch, TransactionalBatch> write, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var filter = seen is { } count
            ? "FROM c WHERE c.count = " + count.ToString(CultureInfo.InvariantCulture)
            : by < 0 ? "FROM c WHERE c.count > 1" : null;
        var patch = new TransactionalBatchPatchItemRequestOptions { FilterPredicate = filter, EnableContentResponseOnWrite = true };
        var batch = store.Messages.CreateTransactionalBatch(new PartitionKey(message.ConversationId))
            .PatchItem(CosmosIds.ReactionCounter(message.Id, reaction.Value), [PatchOperation.Increment("/count", by)], patch);
        batch = write(batch).CreateItem(Record(message, userId, reaction, seen + by, added: by > 0, at));
        using var response = await batch.ExecuteAsync(cancellationToken);
        var status = CosmosOperations.StatusOf(response, message.ConversationId);
        if (status != HttpStatusCode.OK)
        {
            return (status, 0);
        }

        var counter = await System.Text.Json.JsonSerializer.DeserializeAsync<ReactionCounterDocument>(response[0].ResourceStream, CosmosJson.Options, cancellationToken);
        return (status, counter!.Count);
    }

    /// <summary>
    /// The reactor's participant document, read just before the batch: it lives in the <c>conversations</c>
    /// container and a transactional batch spans one container's partition, so the batch cannot guard on it.
    /// A removal that commits between this read and the batch lets one reaction through (docs/api.md, reactions).
    /// </summary>
    private async Task<bool> IsParticipantAsync(string conversationId, string userId, CancellationToken cancellationToken) =>
        (await store.Conversations.TryReadAsync<ParticipantDocument>(ParticipantDocument.IdOf(userId), conversationId, cancellationToken)).Document is not null;

    private Task<(ReactionCounterDocument? Document, string? ETag)> ReadCounterAsync(Message message, Reaction reaction, CancellationToken cancellationToken) =>
        store.Messages.TryReadAsync<ReactionCounterDocument>(CosmosIds.ReactionCounter(message.Id, reaction.Value), message.ConversationId, cancellationToken);

    private static ChangeRecordDocument Record(Message message, string userId, Reaction reaction, int? count, bool added, DateTimeOffset at) =>
        ChangeRecordDocument.ForReaction(new ReactionChanged(message.ConversationId, message.Id, userId, reaction.Value, count, added), CosmosJson.Ms(at));

    private static TransactionalBatch WriteKinds(TransactionalBatch batch, ReactionKindsDocument kinds, string? etag) =>
        etag is null
            ? batch.CreateItem(kinds)
            : batch.ReplaceItem(kinds.Id, kinds, new TransactionalBatchItemRequestOptions { IfMatchEtag = etag });
}
