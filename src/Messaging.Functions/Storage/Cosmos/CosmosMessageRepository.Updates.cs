using System.Net;
using Messaging.Domain.Common;
using Messaging.Domain.Messages;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// An edit or a delete rewrites a stored message in one transactional batch with its change record: a tombstone
/// also clears the reaction counters and takes its reply off the parent's count.
/// </summary>
public sealed partial class CosmosMessageRepository
{
    public async Task<UpdateStatus> UpdateAsync(Message message, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxSequenceRetries; attempt++)
        {
            var (stored, etag) = await store.Messages.TryReadAsync<MessageDocument>(message.Id, message.ConversationId, cancellationToken);
            if (stored is null || stored.DeletedAt is not null)
            {
                // Gone, or deleted since it was read: a delete wins, an edit never brings the text back, the first tombstone stays.
                return UpdateStatus.AlreadyDeleted;
            }

            var (kinds, kindsEtag) = message.IsDeleted
                ? await store.Messages.TryReadAsync<ReactionKindsDocument>(CosmosIds.ReactionKinds(message.Id), message.ConversationId, cancellationToken)
                : (null, null);
            var next = MessageDocument.From(message, stored.Sequence, stored.ReplyCount);
            var kind = message.IsDeleted ? ChangeRecordKinds.MessageDeleted : ChangeRecordKinds.MessageEdited;
            var status = await store.Messages.CommitWithRecordAsync(
                message.ConversationId,
                batch =>
                {
                    batch.ReplaceItem(message.Id, next, new TransactionalBatchItemRequestOptions { IfMatchEtag = etag });
                    if (message.IsDeleted)
                    {
                        ClearReactions(batch, message, kinds, kindsEtag);
                    }

                    return UncountReply(batch, message);
                },
                ChangeRecordDocument.ForMessage(message.ConversationId, kind, message.Id, CosmosJson.Ms(message.DeletedAt ?? message.EditedAt ?? message.CreatedAt)),
                cancellationToken);
            // 412/404/409: the message, or its reaction kinds (a kind appeared or went), changed since they were read.
            if (status is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound or HttpStatusCode.Conflict)
            {
                continue;
            }
            if (message.IsDeleted)
            {
                // The tombstone keeps no attachments; their records go (the service deletes the files).
                foreach (var attachment in stored.Attachments)
                {
                    await store.Attachments.DeleteIfExistsAsync(attachment.Id, attachment.Id, cancellationToken);
                }
            }

            return UpdateStatus.Saved;
        }

        throw new ConcurrencyConflictException($"Message {message.Id} kept changing while it was being updated.");
    }

    /// <summary>
    /// A tombstone loses its reactions: the counters of the kinds it has go, and the kinds document,
    /// guarded by its ETag, becomes cleared, so a reaction racing the delete finds its counter gone
    /// (404) or the kinds changed (412) and then sees the tombstone.
    /// </summary>
    private static void ClearReactions(TransactionalBatch batch, Message message, ReactionKindsDocument? kinds, string? kindsEtag)
    {
        foreach (var kind in kinds?.Kinds ?? [])
        {
            batch.DeleteItem(CosmosIds.ReactionCounter(message.Id, kind));
        }

        var cleared = ReactionKindsDocument.Cleared(message.ConversationId, message.Id);
        if (kindsEtag is null)
        {
            batch.CreateItem(cleared);
        }
        else
        {
            batch.ReplaceItem(cleared.Id, cleared, new TransactionalBatchItemRequestOptions { IfMatchEtag = kindsEtag });
        }
    }
}
