using System.Net;
using Messaging.Domain.Conversations;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Creation of a conversation. Up to 98 participants: one batch. A larger group first writes its header
/// hidden (deleted, with a purge marker whose lease belongs to the creation), then the participant
/// documents 100 per batch, and last makes the header live with the rest and the record (decision 0010).
/// Nobody sees a half-written group, and one abandoned midway is removed by the purger once the lease ran out.
/// </summary>
public sealed partial class CosmosConversationRepository
{
    /// <summary>The purge owner of a header still being created: the purger leaves it alone until its lease ends.</summary>
    internal const string CreationOwner = "creating";

    /// <summary>How long a creation in several batches may take before the purger removes what it wrote.</summary>
    private static readonly TimeSpan CreationLease = TimeSpan.FromMinutes(5);

    public async Task AddAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        var header = ConversationDocument.From(conversation, conversation.Id);
        header.Version = 0;
        var participants = conversation.Participants.Select(p => ParticipantDocument.From(header.Id, p)).ToList();
        var first = Math.Max(0, participants.Count - ParticipantsBesideHeader);
        string? hiddenETag = null;
        if (first > 0)
        {
            hiddenETag = await CreateHiddenAsync(conversation, cancellationToken);
            if (hiddenETag is null)
            {
                await MirrorCreatedAsync(header, participants, cancellationToken);
                return;
            }

            await store.Conversations.ExecuteChunkedAsync(
                header.Id, participants.Take(first), (b, p) => b.UpsertItem(p), $"Creating the participants of conversation {header.Id}", cancellationToken);
        }

        var status = await store.Conversations.CommitWithRecordAsync(
            header.Id,
            batch => participants.Skip(first).Aggregate(
                hiddenETag is null ? batch.CreateItem(header) : batch.ReplaceItem(header.Id, header, new TransactionalBatchItemRequestOptions { IfMatchEtag = hiddenETag }),
                (b, p) => b.UpsertItem(p)),
            ChangeRecordDocument.ConversationCreated(header.Id, Now()),
            cancellationToken);
        if (status == HttpStatusCode.Conflict && IsCreated(await store.Conversations.ReadHeaderAsync(header.Id, cancellationToken), header))
        {
            // An earlier attempt committed and its answer was lost.
            status = HttpStatusCode.OK;
        }

        if (status != HttpStatusCode.OK)
        {
            throw new CosmosException($"Creating conversation {header.Id} answered {status}.", status, 0, string.Empty, 0);
        }

        await MirrorCreatedAsync(header, participants, cancellationToken);
    }

    /// <summary>
    /// The hidden header's ETag (written now, or left by an earlier attempt of this creation, its lease
    /// renewed); null when an earlier attempt already made the conversation live.
    /// </summary>
    private async Task<string?> CreateHiddenAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        var hidden = ConversationDocument.From(conversation, conversation.Id);
        hidden.Version = 0;
        hidden.Deleted = true;
        hidden.Purge = PurgeState.Requested(Now());
        hidden.Purge.Owner = CreationOwner;
        hidden.Purge.LeaseUntil = Now() + (long)CreationLease.TotalMilliseconds;
        using (var created = await store.Conversations.CreateItemStreamAsync(Serialize(hidden), new PartitionKey(hidden.Id), cancellationToken: cancellationToken))
        {
            if (created.IsSuccessStatusCode)
            {
                return created.Headers.ETag;
            }

            if (created.StatusCode != HttpStatusCode.Conflict)
            {
                throw new CosmosException($"Creating conversation {hidden.Id} answered {created.StatusCode}.", created.StatusCode, 0, created.Headers.ActivityId, created.Headers.RequestCharge);
            }
        }

        var (existing, etag) = await store.Conversations.TryReadAsync<ConversationDocument>(hidden.Id, hidden.Id, cancellationToken);
        if (IsCreated((existing is { Deleted: false } ? existing : null, etag), hidden))
        {
            return null;
        }

        if (existing is { Deleted: true, Purge.Owner: CreationOwner } && existing.CreatedBy == hidden.CreatedBy && existing.CreatedAt == hidden.CreatedAt)
        {
            using var renewed = await store.Conversations.ReplaceItemStreamAsync(
                Serialize(hidden), hidden.Id, new PartitionKey(hidden.Id), new ItemRequestOptions { IfMatchEtag = etag }, cancellationToken);
            if (renewed.IsSuccessStatusCode)
            {
                return renewed.Headers.ETag;
            }
        }

        throw new CosmosException($"Conversation {hidden.Id} exists already.", HttpStatusCode.Conflict, 0, string.Empty, 0);
    }

    /// <summary>Whether the live header is this creation's (same creator and creation time).</summary>
    private static bool IsCreated((ConversationDocument? Header, string? ETag) live, ConversationDocument candidate) =>
        live.Header is { } header && header.CreatedBy == candidate.CreatedBy && header.CreatedAt == candidate.CreatedAt && header.Kind == candidate.Kind;

    private Task MirrorCreatedAsync(ConversationDocument header, List<ParticipantDocument> participants, CancellationToken cancellationToken) =>
        Task.WhenAll(participants.Select(p => MirrorAsync(header.Id, p.UserId, "written", () => store.Memberships.UpsertItemAsync(
            MembershipDocument.For(header, p.UserId), new PartitionKey(p.UserId), cancellationToken: cancellationToken))));
}
