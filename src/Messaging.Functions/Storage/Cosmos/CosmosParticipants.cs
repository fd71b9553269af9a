using System.Text.Json;
using Messaging.Domain.Conversations;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Reads of a conversation's partition in the <c>conversations</c> container: its header and its
/// participant documents (decision 0010). Every query stays in the conversation's partition.
/// </summary>
internal static class CosmosParticipants
{
    /// <summary>A transactional batch takes at most 100 operations (https://learn.microsoft.com/azure/cosmos-db/transactional-batch#limitations).</summary>
    public const int MaxBatchOperations = 100;

    /// <summary>The live header, or null when missing, deleted or not a conversation (a claim, a locator).</summary>
    public static async Task<(ConversationDocument? Header, string? ETag)> ReadHeaderAsync(this Container conversations, string conversationId, CancellationToken cancellationToken)
    {
        var (header, etag) = await conversations.TryReadAsync<ConversationDocument>(conversationId, conversationId, cancellationToken);
        return header is { Type: DocumentTypes.Conversation, Deleted: false } ? (header, etag) : (null, null);
    }

    public static async Task<ParticipantDocument?> ReadParticipantAsync(this Container conversations, string conversationId, string userId, CancellationToken cancellationToken) =>
        CosmosIds.CanBeDocumentId(ParticipantDocument.IdOf(userId))
            ? (await conversations.TryReadAsync<ParticipantDocument>(ParticipantDocument.IdOf(userId), conversationId, cancellationToken)).Document
            : null;

    /// <summary>Every participant document of the conversation: for membership changes and the fan-out's audience only.</summary>
    public static Task<List<ParticipantDocument>> ListAllAsync(this Container conversations, string conversationId, CancellationToken cancellationToken) =>
        conversations.QueryAsync<ParticipantDocument>(
            new QueryDefinition("SELECT * FROM c WHERE c.type = @t").WithParameter("@t", DocumentTypes.Participant), conversationId, cancellationToken);

    /// <summary>The user ids of a small group (a send patches their memberships).</summary>
    public static async Task<List<string>> UserIdsAsync(this Container conversations, string conversationId, CancellationToken cancellationToken) =>
        [.. (await conversations.QueryAsync<UserRow>(
            new QueryDefinition("SELECT c.userId FROM c WHERE c.type = @t").WithParameter("@t", DocumentTypes.Participant), conversationId, cancellationToken)).Select(r => r.UserId)];

    /// <summary>Participants in join order (ties by user id) after the keyset position, at most <paramref name="count"/>.</summary>
    public static Task<List<ParticipantDocument>> ListInJoinOrderAsync(
        this Container conversations, string conversationId, int count, (long JoinedAt, string UserId)? after, CancellationToken cancellationToken)
    {
        var query = after is { } position
            ? new QueryDefinition(
                    "SELECT TOP @n * FROM c WHERE c.type = @t AND (c.joinedAt > @at OR (c.joinedAt = @at AND c.userId > @u)) ORDER BY c.joinedAt ASC, c.userId ASC")
                .WithParameter("@at", position.JoinedAt).WithParameter("@u", position.UserId)
            : new QueryDefinition("SELECT TOP @n * FROM c WHERE c.type = @t ORDER BY c.joinedAt ASC, c.userId ASC");
        return conversations.QueryAsync<ParticipantDocument>(
            query.WithParameter("@n", count).WithParameter("@t", DocumentTypes.Participant), conversationId, cancellationToken, count);
    }

    /// <summary>
    /// The view of a conversation in a bounded number of reads: a small group's participants in one
    /// query; for a large one the owners and the earliest joiners, <see cref="ConversationView.MaxListed"/> each.
    /// </summary>
    public static async Task<ConversationView> ViewAsync(this Container conversations, ConversationDocument header, ParticipantDocument? viewer, CancellationToken cancellationToken)
    {
        List<ParticipantDocument> leading;
        if (!header.IsLarge)
        {
            leading = await conversations.ListAllAsync(header.Id, cancellationToken);
        }
        else
        {
            var owners = conversations.QueryAsync<ParticipantDocument>(
                new QueryDefinition("SELECT TOP @n * FROM c WHERE c.type = @t AND c.role = @r ORDER BY c.joinedAt ASC, c.userId ASC")
                    .WithParameter("@n", ConversationView.MaxListed).WithParameter("@t", DocumentTypes.Participant).WithParameter("@r", WireNames.Owner),
                header.Id,
                cancellationToken,
                ConversationView.MaxListed);
            var earliest = conversations.ListInJoinOrderAsync(header.Id, ConversationView.MaxListed, null, cancellationToken);
            leading = [.. await owners, .. await earliest];
        }

        return header.ToView(leading.Select(p => p.ToParticipant()), viewer?.ToParticipant());
    }

    /// <summary>
    /// Headers and the user's participant documents of several conversations in one ReadMany; only
    /// the conversations that exist and still list the user are answered.
    /// </summary>
    public static async Task<Dictionary<string, (ConversationDocument Header, ParticipantDocument Participant)>> ReadVisibleAsync(
        this Container conversations, string userId, IEnumerable<string> conversationIds, CancellationToken cancellationToken)
    {
        var ids = conversationIds.Where(CosmosIds.CanBeDocumentId).Distinct(StringComparer.Ordinal).ToList();
        var visible = new Dictionary<string, (ConversationDocument, ParticipantDocument)>(StringComparer.Ordinal);
        if (ids.Count == 0)
        {
            return visible;
        }

        var read = await conversations.ReadManyItemsAsync<JsonElement>(
            [.. ids.SelectMany(id => new[] { (id, new PartitionKey(id)), (ParticipantDocument.IdOf(userId), new PartitionKey(id)) })], cancellationToken: cancellationToken);
        var headers = new Dictionary<string, ConversationDocument>(StringComparer.Ordinal);
        var participants = new Dictionary<string, ParticipantDocument>(StringComparer.Ordinal);
        foreach (var item in read.Resource)
        {
            switch (item.TryGetProperty("type", out var type) ? type.GetString() : null)
            {
                case DocumentTypes.Conversation when item.Deserialize<ConversationDocument>(CosmosJson.Options) is { Deleted: false } header:
                    headers[header.Id] = header;
                    break;
                case DocumentTypes.Participant when item.Deserialize<ParticipantDocument>(CosmosJson.Options) is { } participant && participant.UserId == userId:
                    participants[participant.ConversationId] = participant;
                    break;
            }
        }

        foreach (var id in ids.Where(id => headers.ContainsKey(id) && participants.ContainsKey(id)))
        {
            visible[id] = (headers[id], participants[id]);
        }

        return visible;
    }

    private sealed record UserRow(string UserId);
}
