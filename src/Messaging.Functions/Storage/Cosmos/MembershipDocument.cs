using Messaging.Domain.Conversations;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>A user's entry in their conversation list. Partition key /userId, id = conversation id.</summary>
internal sealed class MembershipDocument
{
    /// <summary>Groups up to this size keep activity on every membership; larger ones on their header only (decision 0010).</summary>
    public const int MaxWithActivity = ConversationView.MaxListed;

    public required string Id { get; set; }

    public string Type { get; set; } = DocumentTypes.Membership;

    public required string UserId { get; set; }

    public required string ConversationId { get; set; }

    /// <summary>Most recent activity of a small group; not kept for a large one (its header has it).</summary>
    public long UpdatedAt { get; set; }

    /// <summary>Whether the conversation has more than <see cref="MaxWithActivity"/> participants.</summary>
    public bool Large { get; set; }

    /// <summary>The header version <see cref="Large"/> comes from: an older flip never overwrites a newer one (<see cref="CosmosMemberships"/>).</summary>
    public long Version { get; set; }

    public static MembershipDocument For(ConversationDocument conversation, string userId) => new()
    {
        Id = conversation.Id,
        UserId = userId,
        ConversationId = conversation.Id,
        UpdatedAt = conversation.UpdatedAt,
        Large = conversation.IsLarge,
        Version = conversation.Version,
    };
}
