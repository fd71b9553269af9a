using System.Text.Json.Serialization;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>The per-conversation sequence counter, in the conversation's message partition (id <c>counter</c>).</summary>
internal sealed class CounterDocument
{
    public string Id { get; set; } = CosmosIds.CounterId;

    public string Type { get; set; } = DocumentTypes.Counter;

    public required string ConversationId { get; set; }

    public long LastSequence { get; set; }

    /// <summary>Set first when the conversation is deleted: a send racing the delete fails its ETag check and then sees this.</summary>
    public bool Deleted { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Ttl { get; set; }
}

/// <summary>Claims (sender, client message id) in the conversation's partition, created in the same batch as the message.</summary>
internal sealed class ClientMessageDocument
{
    public required string Id { get; set; }

    public string Type { get; set; } = DocumentTypes.ClientMessage;

    public required string ConversationId { get; set; }

    public required string MessageId { get; set; }
}
