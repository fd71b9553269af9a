using Messaging.Domain.Messages;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>The reactions of a page of messages: one query in the conversation's partition.</summary>
public sealed partial class CosmosReactionRepository
{
    public async Task<IReadOnlyDictionary<string, MessageReactions>> GetAsync(
        string conversationId, IReadOnlyCollection<string> messageIds, string? viewerId, CancellationToken cancellationToken)
    {
        var ids = messageIds.Where(CosmosIds.CanBeDocumentId).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return new Dictionary<string, MessageReactions>();
        }

        // The counters of the page's messages (a tombstone has none) and the viewer's own reactions.
        var query = viewerId is null
            ? new QueryDefinition("SELECT * FROM c WHERE c.type = @counter AND ARRAY_CONTAINS(@ids, c.reactsTo)")
            : new QueryDefinition("SELECT * FROM c WHERE (c.type = @counter OR (c.type = @reaction AND c.reactor = @u)) AND ARRAY_CONTAINS(@ids, c.reactsTo)")
                .WithParameter("@reaction", DocumentTypes.Reaction).WithParameter("@u", viewerId);
        var rows = await store.Messages.QueryAsync<ReactionRow>(
            query.WithParameter("@counter", DocumentTypes.ReactionCounter).WithParameter("@ids", ids), conversationId, cancellationToken);
        return rows.GroupBy(r => r.MessageId, StringComparer.Ordinal).ToDictionary(
            group => group.Key,
            group => new MessageReactions(
                MessageReactions.Order(group.Where(r => r.Type == DocumentTypes.ReactionCounter && r.Count > 0).Select(r => new ReactionCount(r.Reaction, r.Count, CosmosJson.Time(r.FirstAt)))),
                [.. group.Where(r => r.Type == DocumentTypes.Reaction).Select(r => r.Reaction).Order(StringComparer.Ordinal)]),
            StringComparer.Ordinal);
    }

    /// <summary>A row of the page query: a counter or one of the viewer's reactions.</summary>
    private sealed class ReactionRow
    {
        public required string Type { get; set; }

        [System.Text.Json.Serialization.JsonPropertyName("reactsTo")]
        public required string MessageId { get; set; }

        public required string Reaction { get; set; }

        public int Count { get; set; }

        public long FirstAt { get; set; }
    }
}
