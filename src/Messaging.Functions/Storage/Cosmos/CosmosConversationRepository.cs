using System.Net;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Realtime;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Conversations in the <c>conversations</c> container: per conversation a header document and one
/// document per participant in the conversation's partition (decision 0010), mirrored per user in
/// <c>memberships</c> for the conversation list. The mirror lives in other partitions, so it is
/// written after the conversation and can fail alone: the participant documents decide, every read
/// checks them. This file: reads of one conversation and get-or-add; lists and writes are beside it.
/// </summary>
public sealed partial class CosmosConversationRepository(CosmosStore store, TimeProvider time, ILogger<CosmosConversationRepository>? logger = null)
    : IConversationRepository
{
    private const int MaxConflictRetries = 50;
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>The header and every participant document: for membership changes only (and the audience below).</summary>
    public async Task<Conversation?> GetAsync(string conversationId, CancellationToken cancellationToken)
    {
        if (!IsConversationId(conversationId))
        {
            return null;
        }

        var (header, _) = await store.Conversations.ReadHeaderAsync(conversationId, cancellationToken);
        return header is null ? null : header.ToConversation(await store.Conversations.ListAllAsync(conversationId, cancellationToken));
    }

    /// <summary>The header and the participants' user ids (a projection, not their read positions).</summary>
    public async Task<ConversationAudience?> GetAudienceAsync(string conversationId, CancellationToken cancellationToken)
    {
        if (!IsConversationId(conversationId))
        {
            return null;
        }

        var (header, _) = await store.Conversations.ReadHeaderAsync(conversationId, cancellationToken);
        return header is null ? null : new ConversationAudience(header.Id, header.MembershipEpoch, await store.Conversations.UserIdsAsync(conversationId, cancellationToken));
    }

    public async Task<ConversationView?> GetViewAsync(string conversationId, string? viewerId, CancellationToken cancellationToken)
    {
        if (!IsConversationId(conversationId))
        {
            return null;
        }

        var (header, viewer) = await ReadHeaderAndParticipantAsync(conversationId, viewerId, cancellationToken);
        return header is null || (viewerId is not null && viewer is null) ? null : await store.Conversations.ViewAsync(header, viewer, cancellationToken);
    }

    /// <summary>
    /// Point reads of the user's participant document and of the header, in parallel: a removal deletes the
    /// participant document in the batch that moves the epoch, and a deleted or half-created conversation has no live header.
    /// </summary>
    public async Task<Participant?> GetParticipantAsync(string conversationId, string userId, CancellationToken cancellationToken)
    {
        if (!IsConversationId(conversationId))
        {
            return null;
        }

        var (header, participant) = await ReadHeaderAndParticipantAsync(conversationId, userId, cancellationToken);
        return header is null ? null : participant?.ToParticipant();
    }

    public async Task<Result<Page<Participant>>> ListParticipantsAsync(string conversationId, int limit, string? continuationToken, CancellationToken cancellationToken)
    {
        (long, string)? after = null;
        if (continuationToken is not null)
        {
            if (!ParticipantKeyset.TryDecode(continuationToken, out var joinedAt, out var afterUser))
            {
                return Error.Invalid("continuationToken", "The continuation token is not valid.");
            }

            after = (joinedAt, afterUser);
        }

        if (!IsConversationId(conversationId) || (await store.Conversations.ReadHeaderAsync(conversationId, cancellationToken)).Header is null)
        {
            return new Page<Participant>([], null);
        }

        // Keyset on (joinedAt, userId) in the conversation's partition, composite index (joinedAt ASC, userId ASC).
        var rows = await store.Conversations.ListInJoinOrderAsync(conversationId, limit + 1, after, cancellationToken);
        var items = rows.Take(limit).Select(p => p.ToParticipant()).ToList();
        return new Page<Participant>(items, rows.Count > limit ? ParticipantKeyset.After(items[^1]) : null);
    }

    /// <summary>Adds the direct conversation unless the pair's claim names a live one; the claim is a document with an id derived from the pair.</summary>
    public Task<(Conversation Conversation, bool Created)> GetOrAddDirectAsync(Conversation candidate, CancellationToken cancellationToken) =>
        GetOrAddAsync(candidate, CosmosIds.Direct(candidate.DirectKey!), cancellationToken);

    /// <summary>Adds the task conversation unless the task's claim names a live one.</summary>
    public Task<(Conversation Conversation, bool Created)> GetOrAddForTaskAsync(Conversation candidate, CancellationToken cancellationToken) =>
        GetOrAddAsync(candidate, CosmosIds.Task(candidate.TaskId!), cancellationToken);

    private async Task<(ConversationDocument? Header, ParticipantDocument? Participant)> ReadHeaderAndParticipantAsync(
        string conversationId, string? userId, CancellationToken cancellationToken)
    {
        var header = store.Conversations.ReadHeaderAsync(conversationId, cancellationToken);
        var participant = userId is null ? Task.FromResult<ParticipantDocument?>(null) : store.Conversations.ReadParticipantAsync(conversationId, userId, cancellationToken);
        return ((await header).Header, await participant);
    }

    private static bool IsConversationId(string conversationId) =>
        CosmosIds.CanBeDocumentId(conversationId) && !CosmosIds.IsClaim(conversationId) && !MessageLocatorDocument.IsLocatorId(conversationId);

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
            if (existing is { Deleted: false } && await GetAsync(existing.Id, cancellationToken) is { } live)
            {
                return (live, false);
            }

            // The winner is still writing its conversation, or it was deleted, or its writer died before writing it.
            var abandoned = existing is { Deleted: true, Purge.Owner: not CreationOwner } || Now() - existingClaim.At > ClaimDocument.AbandonedAfterMs;
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

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static MemoryStream Serialize<T>(T document) => new(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(document, CosmosJson.Options));
}
