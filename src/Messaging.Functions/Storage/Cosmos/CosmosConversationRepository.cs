using System.Globalization;
using System.Net;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Functions.Diagnostics;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Conversations in the <c>conversations</c> container (one document per conversation, the whole
/// aggregate), mirrored per user in <c>memberships</c> for the conversation list and unread counts.
/// The mirror lives in other partitions, so it is written after the conversation and can fail
/// alone: the participant list in the conversation document decides, every read checks it.
/// </summary>
public sealed class CosmosConversationRepository(CosmosStore store, TimeProvider time, ILogger<CosmosConversationRepository>? logger = null)
    : IConversationRepository
{
    private const int MaxConflictRetries = 50;
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    public async Task<Conversation?> GetAsync(string conversationId, CancellationToken cancellationToken)
    {
        if (!CosmosIds.CanBeDocumentId(conversationId) || CosmosIds.IsClaim(conversationId) || MessageLocatorDocument.IsLocatorId(conversationId))
        {
            return null;
        }

        var (document, _) = await store.Conversations.TryReadAsync<ConversationDocument>(conversationId, conversationId, cancellationToken);
        return document is { Deleted: false } ? document.ToConversation() : null;
    }

    public async Task<ConversationView?> GetViewAsync(string conversationId, string? viewerId, CancellationToken cancellationToken)
    {
        var conversation = await GetAsync(conversationId, cancellationToken);
        return conversation is null || (viewerId is not null && !conversation.HasParticipant(viewerId)) ? null : ConversationView.Of(conversation, viewerId);
    }

    public async Task<Participant?> GetParticipantAsync(string conversationId, string userId, CancellationToken cancellationToken) =>
        (await GetAsync(conversationId, cancellationToken))?.FindParticipant(userId);

    public async Task<Result<Page<Participant>>> ListParticipantsAsync(string conversationId, int limit, string? continuationToken, CancellationToken cancellationToken)
    {
        long joinedAt = long.MinValue;
        var afterUser = "";
        if (continuationToken is not null && !ParticipantKeyset.TryDecode(continuationToken, out joinedAt, out afterUser))
        {
            return Error.Invalid("continuationToken", "The continuation token is not valid.");
        }

        // The participants live in the conversation document (docs/decisions/0010): the page is cut from it in join order.
        var conversation = await GetAsync(conversationId, cancellationToken);
        var rows = (conversation?.Participants ?? [])
            .Where(p => continuationToken is null
                || CosmosJson.Ms(p.JoinedAt) > joinedAt
                || (CosmosJson.Ms(p.JoinedAt) == joinedAt && string.CompareOrdinal(p.UserId, afterUser) > 0))
            .OrderBy(p => p.JoinedAt).ThenBy(p => p.UserId, StringComparer.Ordinal)
            .Take(limit + 1)
            .ToList();
        var items = rows.Take(limit).ToList();
        return new Page<Participant>(items, rows.Count > limit ? ParticipantKeyset.After(items[^1]) : null);
    }

    public async Task<Result<Page<ConversationView>>> ListForParticipantAsync(string userId, int limit, string? continuationToken, CancellationToken cancellationToken)
    {
        long? beforeUpdatedAt = null;
        var beforeId = "";
        if (continuationToken is not null)
        {
            if (!ContinuationToken.TryDecode(continuationToken, out var position)
                || position.Split('|') is not [var at, var id]
                || !long.TryParse(at, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
            {
                return Error.Invalid("continuationToken", "The continuation token is not valid.");
            }

            beforeUpdatedAt = parsed;
            beforeId = id;
        }

        // Single partition (the user's), keyset on (updatedAt, id) with the composite index (updatedAt DESC, id DESC).
        var sql = beforeUpdatedAt is null
            ? "SELECT TOP @n c.id, c.updatedAt FROM c WHERE c.userId = @u ORDER BY c.updatedAt DESC, c.id DESC"
            : "SELECT TOP @n c.id, c.updatedAt FROM c WHERE c.userId = @u AND (c.updatedAt < @at OR (c.updatedAt = @at AND c.id < @id)) ORDER BY c.updatedAt DESC, c.id DESC";
        var query = new QueryDefinition(sql).WithParameter("@n", limit + 1).WithParameter("@u", userId);
        if (beforeUpdatedAt is { } before)
        {
            query = query.WithParameter("@at", before).WithParameter("@id", beforeId);
        }

        var rows = await store.Memberships.QueryAsync<ListRow>(query, userId, cancellationToken, limit + 1);
        var pageRows = rows.Take(limit).ToList();
        var items = new List<ConversationView>(pageRows.Count);
        if (pageRows.Count > 0)
        {
            var read = await store.Conversations.ReadManyItemsAsync<ConversationDocument>(
                [.. pageRows.Select(r => (r.Id, new PartitionKey(r.Id)))], cancellationToken: cancellationToken);
            var byId = read.Resource.Where(d => IsVisibleTo(d, userId)).ToDictionary(d => d.Id, StringComparer.Ordinal);
            items.AddRange(pageRows.Where(r => byId.ContainsKey(r.Id)).Select(r => ConversationView.Of(byId[r.Id].ToConversation(), userId)));
        }

        var next = rows.Count > limit
            ? ContinuationToken.Encode($"{pageRows[^1].UpdatedAt.ToString(CultureInfo.InvariantCulture)}|{pageRows[^1].Id}")
            : null;
        return Result<Page<ConversationView>>.Success(new Page<ConversationView>(items, next));
    }

    public async Task<IReadOnlyList<Membership>> ListMembershipsAsync(string userId, CancellationToken cancellationToken)
    {
        var rows = await store.Memberships.QueryAsync<MembershipRow>(
            new QueryDefinition("SELECT c.conversationId, c.lastReadSequence FROM c WHERE c.userId = @u").WithParameter("@u", userId),
            userId, cancellationToken);
        if (rows.Count == 0)
        {
            return [];
        }

        // A row can outlive its removal (the mirror is written after the conversation): keep only the conversations that still list the user.
        var read = await store.Conversations.ReadManyItemsAsync<ConversationDocument>(
            [.. rows.Select(r => (r.ConversationId, new PartitionKey(r.ConversationId)))], cancellationToken: cancellationToken);
        var visible = read.Resource.Where(d => IsVisibleTo(d, userId)).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        return [.. rows.Where(r => visible.Contains(r.ConversationId)).Select(r => new Membership(r.ConversationId, r.LastReadSequence))];
    }

    private static bool IsVisibleTo(ConversationDocument document, string userId) =>
        !document.Deleted && document.Participants.Exists(p => p.UserId == userId);

    public async Task AddAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        var document = NewDocument(conversation, conversation.Id);
        var status = await store.Conversations.CommitWithRecordAsync(
            document.Id, batch => batch.CreateItem(document), ChangeRecordDocument.ConversationCreated(document.Id, Now()), cancellationToken);
        if (status != HttpStatusCode.OK)
        {
            throw new CosmosException($"Creating conversation {document.Id} answered {status}.", status, 0, string.Empty, 0);
        }

        await WriteMembershipsAsync(document, cancellationToken);
    }

    /// <summary>Adds the direct conversation unless the pair's claim names a live one; the claim is a document with an id derived from the pair.</summary>
    public Task<(Conversation Conversation, bool Created)> GetOrAddDirectAsync(Conversation candidate, CancellationToken cancellationToken) =>
        GetOrAddAsync(candidate, CosmosIds.Direct(candidate.DirectKey!), cancellationToken);

    /// <summary>Adds the task conversation unless the task's claim names a live one.</summary>
    public Task<(Conversation Conversation, bool Created)> GetOrAddForTaskAsync(Conversation candidate, CancellationToken cancellationToken) =>
        GetOrAddAsync(candidate, CosmosIds.Task(candidate.TaskId!), cancellationToken);

    public async Task UpdateAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (stored, etag) = await store.Conversations.TryReadAsync<ConversationDocument>(conversation.Id, conversation.Id, cancellationToken);
            if (stored is null || stored.Deleted || stored.Version != conversation.Version)
            {
                throw new ConcurrencyConflictException($"Conversation {conversation.Id} changed since it was read.");
            }

            var storedParticipants = stored.Participants.ToDictionary(p => p.UserId, StringComparer.Ordinal);
            var removed = storedParticipants.Keys.Where(id => !conversation.HasParticipant(id)).ToList();
            var added = conversation.Participants.Select(p => p.UserId).Where(id => !storedParticipants.ContainsKey(id)).ToList();

            // Title, participants and roles come from the aggregate; read watermarks stay as stored.
            var next = ConversationDocument.From(conversation, conversation.Id);
            foreach (var participant in next.Participants)
            {
                if (storedParticipants.TryGetValue(participant.UserId, out var before))
                {
                    participant.LastReadMessageId = before.LastReadMessageId;
                    participant.LastReadSequence = before.LastReadSequence;
                    participant.LastReadAt = before.LastReadAt;
                }
                else
                {
                    participant.LastReadMessageId = null;
                    participant.LastReadSequence = 0;
                    participant.LastReadAt = null;
                }
            }

            next.UpdatedAt = Math.Max(stored.UpdatedAt, next.UpdatedAt);
            next.Version = stored.Version + 1;
            var status = await store.Conversations.CommitWithRecordAsync(
                next.Id,
                batch => batch.ReplaceItem(next.Id, next, new TransactionalBatchItemRequestOptions { IfMatchEtag = etag }),
                ChangeRecordDocument.ConversationChanged(next.Id, added, removed, Now()),
                cancellationToken);
            if (status == HttpStatusCode.PreconditionFailed && attempt < MaxConflictRetries)
            {
                // A watermark or activity write moved the ETag; the version check above decides whether it was a real conflict.
                continue;
            }

            if (status != HttpStatusCode.OK)
            {
                throw new ConcurrencyConflictException($"Conversation {conversation.Id} changed since it was read.");
            }

            // Committed: from here nothing is reported as failed.
            conversation.AcceptVersion(next.Version);
            foreach (var gone in removed)
            {
                await MirrorAsync(next.Id, gone, "deleted", () => store.Memberships.DeleteIfExistsAsync(next.Id, gone, cancellationToken));
            }

            foreach (var user in added)
            {
                var participant = next.Participants.First(p => p.UserId == user);
                await MirrorAsync(next.Id, user, "written", () => store.Memberships.UpsertItemAsync(
                    MembershipDocument.For(next.Id, user, next.UpdatedAt, participant.LastReadSequence), new PartitionKey(user), cancellationToken: cancellationToken));
            }

            await Task.WhenAll(next.Participants.Where(p => !added.Contains(p.UserId))
                .Select(p => MirrorAsync(next.Id, p.UserId, "moved", () => store.Memberships.AdvanceTimestampAsync(next.Id, p.UserId, "updatedAt", next.UpdatedAt, cancellationToken))));
            return;
        }
    }

    public async Task<(ReadWatermark? Watermark, bool Moved)> AdvanceWatermarkAsync(
        string conversationId, string userId, ReadWatermark watermark, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (stored, etag) = await store.Conversations.TryReadAsync<ConversationDocument>(conversationId, conversationId, cancellationToken);
            var participant = stored is { Deleted: false } ? stored.Participants.Find(p => p.UserId == userId) : null;
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
                batch => batch.ReplaceItem(conversationId, stored!, new TransactionalBatchItemRequestOptions { IfMatchEtag = etag }),
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

            // The mirror for unread counts: forward only, so a late write never moves it back.
            await store.Memberships.AdvanceTimestampAsync(conversationId, userId, "lastReadSequence", watermark.Sequence, cancellationToken);
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
        for (var attempt = 0; ; attempt++)
        {
            var (stored, etag) = await store.Conversations.TryReadAsync<ConversationDocument>(conversationId, conversationId, cancellationToken);
            if (stored is null || stored.Deleted)
            {
                return [];
            }

            // First the soft delete with its record and the purge marker, all or nothing: from here readers see nothing,
            // and should the rest of this request fail, the purger closes the conversation (CosmosConversationClosing).
            var former = stored.Participants.Select(p => p.UserId).ToList();
            stored.Deleted = true;
            stored.FormerParticipantIds = former;
            stored.Participants = [];
            stored.Ttl = null;
            stored.Purge = PurgeState.Requested(Now());
            var status = await store.Conversations.CommitWithRecordAsync(
                conversationId,
                batch => batch.ReplaceItem(conversationId, stored, new TransactionalBatchItemRequestOptions { IfMatchEtag = etag }),
                ChangeRecordDocument.ConversationRemoved(conversationId, former, Now()),
                cancellationToken);
            if (status is HttpStatusCode.PreconditionFailed && attempt < MaxConflictRetries)
            {
                // A participant, read position or activity write came first: read again so every member loses the conversation.
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

            await CosmosConversationClosing.CloseAsync(store, stored, cancellationToken);
            store.PurgeRequests.Signal();
            return [];
        }
    }

    private async Task<(Conversation Conversation, bool Created)> GetOrAddAsync(Conversation candidate, string claimId, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            // The claim decides the race: exactly one Create of the derived id succeeds (409 for the others).
            var claim = new ClaimDocument { Id = claimId, ConversationId = candidate.Id, At = Now() };
            using (var created = await store.Conversations.CreateItemStreamAsync(Serialize(claim), new PartitionKey(claimId), cancellationToken: cancellationToken))
            {
                if (created.IsSuccessStatusCode)
                {
                    await AddAsync(candidate, cancellationToken);
                    return (candidate, true);
                }

                if (created.StatusCode != HttpStatusCode.Conflict)
                {
                    created.EnsureSuccessStatusCode();
                }
            }

            var (existingClaim, claimETag) = await store.Conversations.TryReadAsync<ClaimDocument>(claimId, claimId, cancellationToken);
            if (existingClaim is null)
            {
                continue;
            }

            var (existing, _) = await store.Conversations.TryReadAsync<ConversationDocument>(existingClaim.ConversationId, existingClaim.ConversationId, cancellationToken);
            if (existing is { Deleted: false })
            {
                return (existing.ToConversation(), false);
            }

            // The winner is still writing its conversation, or it was deleted, or its writer died before writing it.
            var abandoned = existing is { Deleted: true } || Now() - existingClaim.At > ClaimDocument.AbandonedAfterMs;
            if (abandoned)
            {
                claim.At = Now();
                using var replaced = await store.Conversations.ReplaceItemStreamAsync(
                    Serialize(claim), claimId, new PartitionKey(claimId), new ItemRequestOptions { IfMatchEtag = claimETag }, cancellationToken);
                if (replaced.IsSuccessStatusCode)
                {
                    await AddAsync(candidate, cancellationToken);
                    return (candidate, true);
                }
            }
            else
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(20 * (attempt + 1), 200)), cancellationToken);
            }

            if (attempt >= MaxConflictRetries * 4 && time.GetElapsedTime(started) > TimeSpan.FromSeconds(30))
            {
                throw new ConcurrencyConflictException($"The claim {claimId} kept changing while the conversation was being created.");
            }
        }
    }

    private ConversationDocument NewDocument(Conversation conversation, string id)
    {
        var document = ConversationDocument.From(conversation, id);
        document.Version = 0;
        return document;
    }

    private Task WriteMembershipsAsync(ConversationDocument document, CancellationToken cancellationToken) =>
        Task.WhenAll(document.Participants.Select(p => MirrorAsync(document.Id, p.UserId, "written", () => store.Memberships.UpsertItemAsync(
            MembershipDocument.For(document.Id, p.UserId, document.UpdatedAt, p.LastReadSequence), new PartitionKey(p.UserId), cancellationToken: cancellationToken))));

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

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static MemoryStream Serialize<T>(T document) => new(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(document, CosmosJson.Options));

    private sealed record ListRow(string Id, long UpdatedAt);

    private sealed record MembershipRow(string ConversationId, long LastReadSequence);
}
