using System.Text.Json.Serialization;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Where a message lives: routes such as <c>GET /messages/{id}</c> name only the message, whose
/// partition is its conversation. This small document in the <c>conversations</c> container, its own
/// partition keyed by the message id, turns the lookup into two point reads on any instance instead
/// of a query across every conversation's partition. Written before the send's batch, so a
/// committed message always has one; a send that then fails leaves a locator that points at nothing
/// (reads answer not found).
/// </summary>
internal sealed class MessageLocatorDocument
{
    public required string Id { get; set; }

    public string Type { get; set; } = DocumentTypes.MessageLocator;

    [JsonPropertyName("pk")]
    public string PartitionKey => Id;

    public required string ConversationId { get; set; }

    public static string IdOf(string messageId) => "message-" + messageId;

    /// <summary>Whether an id is a locator's (never a conversation the API can name).</summary>
    public static bool IsLocatorId(string id) => id.StartsWith("message-", StringComparison.Ordinal);

    public static MessageLocatorDocument For(string messageId, string conversationId) => new() { Id = IdOf(messageId), ConversationId = conversationId };
}
