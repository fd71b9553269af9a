using System.Text.Json.Serialization;
using Messaging.Domain.Messages;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// One user's reaction of one kind to a message. Partition key /conversationId. The message and user
/// are stored as <c>reactsTo</c> and <c>reactor</c>, names no other document uses, so indexing them
/// (the page query filters on them) costs nothing on messages and change records.
/// </summary>
internal sealed class ReactionDocument
{
    public required string Id { get; set; }

    public string Type { get; set; } = DocumentTypes.Reaction;

    public required string ConversationId { get; set; }

    [JsonPropertyName("reactsTo")]
    public required string MessageId { get; set; }

    [JsonPropertyName("reactor")]
    public required string UserId { get; set; }

    public required string Reaction { get; set; }

    public long CreatedAt { get; set; }
}

/// <summary>
/// The reaction counters of one message (at most the distinct-reaction limit of entries), beside it in
/// the conversation's partition. Its ETag serialises the reactions of the message, so the limit holds
/// under concurrency; the message's tombstone batch clears it and sets <see cref="Deleted"/>.
/// </summary>
internal sealed class ReactionCountsDocument
{
    public required string Id { get; set; }

    public string Type { get; set; } = DocumentTypes.ReactionCounts;

    public required string ConversationId { get; set; }

    [JsonPropertyName("reactsTo")]
    public required string MessageId { get; set; }

    public List<ReactionCountEntry> Counts { get; set; } = [];

    public bool Deleted { get; set; }

    public static ReactionCountsDocument Empty(string conversationId, string messageId) =>
        new() { Id = CosmosIds.ReactionCounts(messageId), ConversationId = conversationId, MessageId = messageId };

    /// <summary>Written in the tombstone's batch: the reactions are gone, and a reaction racing the delete fails its ETag check.</summary>
    public static ReactionCountsDocument Cleared(string conversationId, string messageId)
    {
        var cleared = Empty(conversationId, messageId);
        cleared.Deleted = true;
        return cleared;
    }

    public IReadOnlyList<ReactionCount> ToCounts() =>
        MessageReactions.Order(Counts.Select(c => new ReactionCount(c.Reaction, c.Count, CosmosJson.Time(c.FirstAt))));
}

internal sealed class ReactionCountEntry
{
    public required string Reaction { get; set; }

    public int Count { get; set; }

    public long FirstAt { get; set; }
}
