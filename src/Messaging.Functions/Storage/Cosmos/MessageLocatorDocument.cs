using System.Net;
using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Where a message lives: routes such as <c>GET /messages/{id}</c> name only the message, whose
/// partition is its conversation. This small document in the <c>conversations</c> container, its own
/// partition keyed by the message id, turns the lookup into two point reads on any instance instead
/// of a query across every conversation's partition.
/// <para>
/// It is written before the send's batch (another container, so not in it) with a <c>ttl</c>, and
/// made permanent (<c>ttl</c> -1) once the batch committed: a send that never commits leaves a
/// locator that expires (https://learn.microsoft.com/azure/cosmos-db/time-to-live: an item's ttl
/// overrides the container default, -1 never expires).
/// </para>
/// </summary>
internal sealed class MessageLocatorDocument
{
    /// <summary>How long the locator of a send that has not committed yet stays: far beyond any send's retries and timeouts.</summary>
    public const int PendingTtlSeconds = 24 * 60 * 60;

    public required string Id { get; set; }

    public string Type { get; set; } = DocumentTypes.MessageLocator;

    [JsonPropertyName("pk")]
    public string PartitionKey => Id;

    public required string ConversationId { get; set; }

    /// <summary><see cref="PendingTtlSeconds"/> until the message committed, then -1 (never expires).</summary>
    [JsonPropertyName("ttl")]
    public int Ttl { get; set; } = -1;

    public static string IdOf(string messageId) => "message-" + messageId;

    /// <summary>Whether an id is a locator's (never a conversation the API can name).</summary>
    public static bool IsLocatorId(string id) => id.StartsWith("message-", StringComparison.Ordinal);

    /// <summary>The locator of a send about to run its batch: it expires unless <see cref="MakePermanentAsync"/> follows.</summary>
    public static MessageLocatorDocument Pending(string messageId, string conversationId) =>
        new() { Id = IdOf(messageId), ConversationId = conversationId, Ttl = PendingTtlSeconds };

    /// <summary>Once the message committed: its locator never expires. False when the locator is gone.</summary>
    public static async Task<bool> MakePermanentAsync(Container conversations, string messageId, CancellationToken cancellationToken)
    {
        var id = IdOf(messageId);
        using var response = await conversations.PatchItemStreamAsync(
            id, new PartitionKey(id), [PatchOperation.Set("/ttl", -1)], cancellationToken: cancellationToken);
        return response.StatusCode switch
        {
            _ when response.IsSuccessStatusCode => true,
            HttpStatusCode.NotFound => false,
            _ => throw CosmosRequestFailedException.Of(response, $"Keeping the locator of message {messageId}"),
        };
    }
}
