using System.Text.Json.Serialization;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// The one conversation of a direct pair or a task: a document in the conversations container whose id is
/// derived from the key (<see cref="CosmosIds"/>), so concurrent creates conflict and exactly one wins.
/// </summary>
internal sealed class ClaimDocument
{
    /// <summary>A claim whose conversation has not appeared after this long was left by a writer that died; it may be taken over.</summary>
    public const long AbandonedAfterMs = 10_000;

    public required string Id { get; set; }

    public string Type { get; set; } = DocumentTypes.Claim;

    /// <summary>A claim is its own partition.</summary>
    [JsonPropertyName("pk")]
    public string PartitionKey => Id;

    public required string ConversationId { get; set; }

    public long At { get; set; }
}
