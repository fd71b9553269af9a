using System.Text.Json.Serialization;
using Messaging.Domain.Conversations;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// A conversation's header: its own fields, how many participants it has and its membership epoch,
/// never the participants themselves (they are <see cref="ParticipantDocument"/>s in the same
/// partition, decision 0010). Partition key /pk, its id.
/// </summary>
internal sealed class ConversationDocument
{
    public required string Id { get; set; }

    public string Type { get; set; } = DocumentTypes.Conversation;

    public required string Kind { get; set; }

    public string? Title { get; set; }

    public string? TaskId { get; set; }

    public string? DirectKey { get; set; }

    public required string CreatedBy { get; set; }

    public long CreatedAt { get; set; }

    /// <summary>Most recent activity (changes and new messages).</summary>
    public long UpdatedAt { get; set; }

    public long Version { get; set; }

    /// <summary>See <see cref="Conversation.MembershipEpoch"/>.</summary>
    public long MembershipEpoch { get; set; }

    /// <summary>How many participant documents the partition holds; moved in the same batch as they are.</summary>
    public int ParticipantCount { get; set; }

    /// <summary>Soft delete: the latest-version change feed does not show deletes, so a deleted conversation stays as a marker until its <see cref="Ttl"/>.</summary>
    public bool Deleted { get; set; }

    public List<string>? FormerParticipantIds { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Ttl { get; set; }

    /// <summary>Set by a delete until the purger has removed the conversation's messages and attachments.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PurgeState? Purge { get; set; }

    /// <summary>The integrating product's data (issue 16), replaced as a whole.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? Metadata { get; set; }

    /// <summary>The partition of the conversation: its own id; its participants and change records share it.</summary>
    [JsonPropertyName("pk")]
    public string PartitionKey => Id;

    /// <summary>Whether its members' memberships carry no activity (<see cref="MembershipDocument.Large"/>).</summary>
    public bool IsLarge => ParticipantCount > MembershipDocument.MaxWithActivity;

    public ConversationType ConversationType => WireNames.TypeNamed(Kind) ?? ConversationType.Group;

    public static ConversationDocument From(Conversation conversation, string id) => new()
    {
        Id = id,
        Kind = WireNames.Of(conversation.Type),
        Title = conversation.Title,
        TaskId = conversation.TaskId,
        DirectKey = conversation.DirectKey,
        CreatedBy = conversation.CreatedBy,
        CreatedAt = CosmosJson.Ms(conversation.CreatedAt),
        UpdatedAt = CosmosJson.Ms(conversation.UpdatedAt),
        Version = conversation.Version,
        MembershipEpoch = conversation.MembershipEpoch,
        ParticipantCount = conversation.Participants.Count,
        Metadata = conversation.Metadata.Count == 0 ? null : new Dictionary<string, string>(conversation.Metadata.Values, StringComparer.Ordinal),
    };

    /// <summary>The whole aggregate from the header and every participant document of the partition.</summary>
    public Conversation ToConversation(IEnumerable<ParticipantDocument> participants) =>
        Conversation.Restore(
            Id,
            ConversationType,
            Title,
            TaskId,
            CreatedBy,
            CosmosJson.Time(CreatedAt),
            CosmosJson.Time(UpdatedAt),
            participants.OrderBy(p => p.JoinedAt).ThenBy(p => p.UserId, StringComparer.Ordinal).Select(p => p.ToParticipant()),
            Version,
            MembershipEpoch,
            Domain.Common.Metadata.Restore(Metadata));

    /// <summary>The bounded view: <paramref name="leading"/> holds at least the owners and earliest joiners the view lists.</summary>
    public ConversationView ToView(IEnumerable<Participant> leading, Participant? viewer) =>
        new(
            Id,
            ConversationType,
            Title,
            TaskId,
            CreatedBy,
            CosmosJson.Time(CreatedAt),
            CosmosJson.Time(UpdatedAt),
            MembershipEpoch,
            ParticipantCount,
            [.. ConversationView.InListingOrder(leading.DistinctBy(p => p.UserId)).Take(ConversationView.MaxListed)],
            viewer)
        {
            Metadata = Domain.Common.Metadata.Restore(Metadata),
        };
}
