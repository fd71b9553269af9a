using System.Text.Json.Serialization;
using Messaging.Domain.Conversations;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// One participant of a conversation with their read position, in the conversation's partition (id
/// <c>p-</c> + user id): the membership check of a request is a point read, and a mark-read replaces
/// only this ~0.3 KB document.
/// </summary>
internal sealed class ParticipantDocument
{
    public string Id => IdOf(UserId);

    public string Type { get; set; } = DocumentTypes.Participant;

    [JsonPropertyName("pk")]
    public required string ConversationId { get; set; }

    public required string UserId { get; set; }

    public required string Role { get; set; }

    public long JoinedAt { get; set; }

    public string? LastReadMessageId { get; set; }

    public long LastReadSequence { get; set; }

    public long? LastReadAt { get; set; }

    public static string IdOf(string userId) => "p-" + userId;

    public static ParticipantDocument From(string conversationId, Participant participant) => new()
    {
        ConversationId = conversationId,
        UserId = participant.UserId,
        Role = RoleOf(participant),
        JoinedAt = CosmosJson.Ms(participant.JoinedAt),
        LastReadMessageId = participant.Watermark?.MessageId,
        LastReadSequence = participant.Watermark?.Sequence ?? 0,
        LastReadAt = CosmosJson.Ms(participant.Watermark?.ReadAt),
    };

    public static string RoleOf(Participant participant) => WireNames.Of(participant.Role);

    public ReadWatermark? Watermark =>
        LastReadMessageId is { } messageId && LastReadAt is { } readAt ? new ReadWatermark(messageId, LastReadSequence, CosmosJson.Time(readAt)) : null;

    public Participant ToParticipant() =>
        new(UserId, WireNames.RoleNamed(Role), CosmosJson.Time(JoinedAt), Watermark);
}
