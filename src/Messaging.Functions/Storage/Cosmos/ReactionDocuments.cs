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
/// The reaction kinds of one message (at most the distinct-reaction limit), beside it in the
/// conversation's partition. It changes only when a kind appears or disappears, under its ETag, so the
/// limit holds under concurrency while reactions of a kind already there never touch it; the message's
/// tombstone batch clears it and sets <see cref="Deleted"/>.
/// </summary>
internal sealed class ReactionKindsDocument
{
    public required string Id { get; set; }

    public string Type { get; set; } = DocumentTypes.ReactionKinds;

    public required string ConversationId { get; set; }

    [JsonPropertyName("reactsTo")]
    public required string MessageId { get; set; }

    public List<string> Kinds { get; set; } = [];

    public bool Deleted { get; set; }

    public static ReactionKindsDocument Empty(string conversationId, string messageId) =>
        new() { Id = CosmosIds.ReactionKinds(messageId), ConversationId = conversationId, MessageId = messageId };

    /// <summary>Written in the tombstone's batch (with the deletes of the counters): the reactions are gone, and a new kind racing the delete fails its ETag check.</summary>
    public static ReactionKindsDocument Cleared(string conversationId, string messageId)
    {
        var cleared = Empty(conversationId, messageId);
        cleared.Deleted = true;
        return cleared;
    }
}

/// <summary>
/// How many users gave one reaction kind to a message. It exists exactly while the kind is in the
/// message's <see cref="ReactionKindsDocument"/> (both change in the same batch), so a reaction of a
/// kind already there changes only this document, with a patch <c>Increment</c> that concurrent
/// reactors do not contend on.
/// </summary>
internal sealed class ReactionCounterDocument
{
    public required string Id { get; set; }

    public string Type { get; set; } = DocumentTypes.ReactionCounter;

    public required string ConversationId { get; set; }

    [JsonPropertyName("reactsTo")]
    public required string MessageId { get; set; }

    public required string Reaction { get; set; }

    public int Count { get; set; }

    public long FirstAt { get; set; }

    public ReactionCount ToCount() => new(Reaction, Count, CosmosJson.Time(FirstAt));
}
