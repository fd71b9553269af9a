using System.Net;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Functions.Diagnostics;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Writes of a conversation: the header, the participant documents and the change record commit in
/// one transactional batch on the conversation's partition (decisions 0008, 0010); the per-user
/// memberships follow (other partitions), and their failure is only logged.
/// </summary>
public sealed partial class CosmosConversationRepository
{
    /// <summary>Participant documents that fit beside the header and the change record in one batch.</summary>
    private const int ParticipantsBesideHeader = CosmosParticipants.MaxBatchOperations - 2;

    public async Task UpdateAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        Dictionary<string, ParticipantDocument>? before = null;
        for (var attempt = 0; ; attempt++)
        {
            var (stored, etag) = await store.Conversations.ReadHeaderAsync(conversation.Id, cancellationToken);
            if (stored is null || stored.Version != conversation.Version)
            {
                throw new ConcurrencyConflictException($"Conversation {conversation.Id} changed since it was read.");
            }

            // Title, participants and roles come from the aggregate; read positions stay in the participant documents. Who participates
            // and in which role changes only with the header's version (checked above), so a send moving the header's ETag needs no new listing.
            before ??= (await store.Conversations.ListAllAsync(conversation.Id, cancellationToken)).ToDictionary(p => p.UserId, StringComparer.Ordinal);
            var removed = before.Keys.Where(id => !conversation.HasParticipant(id)).ToList();
            var added = conversation.Participants.Where(p => !before.ContainsKey(p.UserId)).Select(p => ParticipantDocument.From(conversation.Id, p)).ToList();
            foreach (var participant in added)
            {
                (participant.LastReadMessageId, participant.LastReadSequence, participant.LastReadAt) = (null, 0, null);
            }

            var roleChanged = conversation.Participants
                .Where(p => before.TryGetValue(p.UserId, out var was) && was.Role != ParticipantDocument.RoleOf(p)).ToList();
            if (removed.Count + added.Count + roleChanged.Count > ParticipantsBesideHeader)
            {
                throw new NotSupportedException($"A change of {conversation.Id} touches more participants than one transactional batch holds.");
            }

            var next = ConversationDocument.From(conversation, conversation.Id);
            next.UpdatedAt = Math.Max(stored.UpdatedAt, next.UpdatedAt);
            next.Version = stored.Version + 1;
            if (next.IsLarge && !stored.IsLarge)
            {
                // Growing past 20: the memberships become large first, so none stays small in a large group; a failure refuses the change.
                await Task.WhenAll(before.Keys.Select(user => store.Memberships.SetLargeAsync(next.Id, user, large: true, next.Version, cancellationToken)));
            }

            var status = await store.Conversations.CommitWithRecordAsync(
                next.Id,
                batch =>
                {
                    batch = batch.ReplaceItem(next.Id, next, new TransactionalBatchItemRequestOptions { IfMatchEtag = etag });
                    batch = removed.Aggregate(batch, (b, user) => b.DeleteItem(ParticipantDocument.IdOf(user)));
                    batch = added.Aggregate(batch, (b, p) => b.UpsertItem(p));
                    return roleChanged.Aggregate(batch, (b, p) => b.PatchItem(ParticipantDocument.IdOf(p.UserId), [PatchOperation.Set("/role", ParticipantDocument.RoleOf(p))]));
                },
                ChangeRecordDocument.ConversationChanged(next.Id, [.. added.Select(p => p.UserId)], removed, Now()),
                cancellationToken);
            if (status is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound && attempt < MaxConflictRetries)
            {
                // An activity patch moved the header's ETag, or a participant changed meanwhile: the version check above decides.
                continue;
            }

            if (status != HttpStatusCode.OK)
            {
                throw new ConcurrencyConflictException($"Conversation {conversation.Id} changed since it was read.");
            }

            // Committed: from here nothing is reported as failed.
            conversation.AcceptVersion(next.Version);
            await MirrorChangeAsync(stored, next, removed, [.. added.Select(p => p.UserId)], [.. conversation.Participants.Select(p => p.UserId)], cancellationToken);
            return;
        }
    }

    /// <summary>Replaces only the reader's participant document (ETag-guarded) with its <c>read</c> record; forward only.</summary>
    public async Task<(ReadWatermark? Watermark, bool Moved)> AdvanceWatermarkAsync(
        string conversationId, string userId, ReadWatermark watermark, CancellationToken cancellationToken)
    {
        if (!IsConversationId(conversationId) || !CosmosIds.CanBeDocumentId(ParticipantDocument.IdOf(userId)))
        {
            return (null, false);
        }

        for (var attempt = 0; ; attempt++)
        {
            var (participant, etag) = await store.Conversations.TryReadAsync<ParticipantDocument>(ParticipantDocument.IdOf(userId), conversationId, cancellationToken);
            if (participant is null)
            {
                return (null, false);
            }

            if (watermark.Sequence <= participant.LastReadSequence)
            {
                return (participant.Watermark, false);
            }

            participant.LastReadMessageId = watermark.MessageId;
            participant.LastReadSequence = watermark.Sequence;
            participant.LastReadAt = CosmosJson.Ms(watermark.ReadAt);
            var status = await store.Conversations.CommitWithRecordAsync(
                conversationId,
                batch => batch.ReplaceItem(participant.Id, participant, new TransactionalBatchItemRequestOptions { IfMatchEtag = etag }),
                ChangeRecordDocument.Read(conversationId, userId, Now()),
                cancellationToken);
            if (status is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound && attempt < MaxConflictRetries)
            {
                continue;
            }

            if (status != HttpStatusCode.OK)
            {
                throw new ConcurrencyConflictException($"Conversation {conversationId} kept changing while {userId}'s read position moved.");
            }

            return (watermark, true);
        }
    }

    /// <summary>
    /// Hides the conversation at once and leaves its history to <see cref="CosmosPurgeService"/>: a
    /// bounded number of calls whatever the conversation's size. The purger deletes the attachment
    /// files itself, so no storage keys are returned.
    /// </summary>
    public async Task<IReadOnlyList<string>> DeleteAsync(string conversationId, CancellationToken cancellationToken)
    {
        if (!IsConversationId(conversationId))
        {
            return [];
        }

        (long Version, List<string> Ids)? listed = null;
        for (var attempt = 0; ; attempt++)
        {
            var (stored, etag) = await store.Conversations.ReadHeaderAsync(conversationId, cancellationToken);
            if (stored is null)
            {
                return [];
            }

            // First the soft delete with its record, the purge marker and (as many as fit) the participant documents, all or nothing:
            // from here readers see nothing, and should the rest of this request fail, the purger closes the conversation.
            // Listed again only when a membership change moved the version, not on every send's activity patch.
            var former = listed is { } earlier && earlier.Version == stored.Version ? earlier.Ids : await store.Conversations.UserIdsAsync(conversationId, cancellationToken);
            listed = (stored.Version, former);
            stored.Deleted = true;
            stored.FormerParticipantIds = former;
            stored.ParticipantCount = 0;
            stored.Ttl = null;
            stored.Purge = PurgeState.Requested(Now());
            var status = await store.Conversations.CommitWithRecordAsync(
                conversationId,
                batch => former.Take(ParticipantsBesideHeader).Aggregate(
                    batch.ReplaceItem(conversationId, stored, new TransactionalBatchItemRequestOptions { IfMatchEtag = etag }),
                    (b, user) => b.DeleteItem(ParticipantDocument.IdOf(user))),
                ChangeRecordDocument.ConversationRemoved(conversationId, former, Now()),
                cancellationToken);
            if (status is HttpStatusCode.PreconditionFailed && attempt < MaxConflictRetries)
            {
                // A membership change or an activity patch came first: read again so every member loses the conversation.
                continue;
            }

            if (status == HttpStatusCode.NotFound)
            {
                return [];
            }

            if (status != HttpStatusCode.OK)
            {
                throw new CosmosException($"Deleting conversation {conversationId} answered {status}.", status, 0, string.Empty, 0);
            }

            if (former.Count > ParticipantsBesideHeader)
            {
                // Bounded work in the request; the purger's closing phase deletes the other participant documents and the memberships.
                await CosmosConversationClosing.StopAsync(store, stored, cancellationToken);
            }
            else
            {
                await CosmosConversationClosing.CloseAsync(store, stored, participantsLeft: false, cancellationToken);
            }

            store.PurgeRequests.Signal();
            return [];
        }
    }

    /// <summary>
    /// The memberships after a committed change: removed users lose theirs, added users get one, and a
    /// group shrinking to <see cref="MembershipDocument.MaxWithActivity"/> marks them small again (growing
    /// marked them large before the commit); a small group's memberships move their activity forward.
    /// </summary>
    private async Task MirrorChangeAsync(
        ConversationDocument before, ConversationDocument next, List<string> removed, List<string> added, List<string> members, CancellationToken cancellationToken)
    {
        foreach (var gone in removed)
        {
            await MirrorAsync(next.Id, gone, "deleted", () => store.Memberships.DeleteIfExistsAsync(next.Id, gone, cancellationToken));
        }

        await Task.WhenAll(added.Select(user => MirrorAsync(next.Id, user, "written", () => store.Memberships.UpsertItemAsync(
            MembershipDocument.For(next, user), new PartitionKey(user), cancellationToken: cancellationToken))));
        if (next.IsLarge)
        {
            return;
        }

        var shrunk = before.IsLarge;
        await Task.WhenAll(members.Where(user => !added.Contains(user)).Select(user => MirrorAsync(next.Id, user, "moved", async () =>
        {
            if (shrunk)
            {
                await store.Memberships.SetLargeAsync(next.Id, user, large: false, next.Version, cancellationToken);
            }

            await store.Memberships.AdvanceTimestampAsync(next.Id, user, "updatedAt", next.UpdatedAt, cancellationToken);
        })));
    }

    /// <summary>A write of the per-user mirror after the conversation committed: a failure is logged, never reported to the caller.</summary>
    private async Task MirrorAsync(string conversationId, string userId, string action, Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (Exception exception) when (exception is CosmosException or OperationCanceledException)
        {
            Log.CosmosMembershipRowNotWritten(_logger, exception, conversationId, userId, action);
        }
    }
}
