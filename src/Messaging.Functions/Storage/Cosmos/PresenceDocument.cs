using Messaging.Domain.Presence;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// A user's presence in the conversations container, alone in its partition (<c>presence:{userId}</c>, id
/// <c>presence</c>): the connections believed open with their lease ends, and <see cref="NextCheckAt"/>
/// (indexed) for the sweeper's query. Timestamps are Unix milliseconds.
/// </summary>
internal sealed class PresenceDocument
{
    public const string DocumentId = "presence";

    public string Id { get; set; } = DocumentId;

    public required string Pk { get; set; }

    public string Type { get; set; } = DocumentTypes.Presence;

    public required string UserId { get; set; }

    public List<LeaseEntry> Connections { get; set; } = [];

    public long? LastSeenAt { get; set; }

    public bool AnnouncedOnline { get; set; }

    public long? OfflineDueAt { get; set; }

    public long? NextCheckAt { get; set; }

    /// <summary>Connections whose <c>disconnected</c> came before their <c>connected</c>, each with when it is forgotten; absent in older documents.</summary>
    public List<LeaseEntry> Closed { get; set; } = [];

    public static string PartitionOf(string userId) => "presence:" + userId;

    public static PresenceDocument From(PresenceState state) => new()
    {
        Pk = PartitionOf(state.UserId),
        UserId = state.UserId,
        Connections = [.. state.Connections.Select(c => new LeaseEntry(c.ConnectionId, CosmosJson.Ms(c.Until)))],
        LastSeenAt = CosmosJson.Ms(state.LastSeenAt),
        AnnouncedOnline = state.AnnouncedOnline,
        OfflineDueAt = CosmosJson.Ms(state.OfflineDueAt),
        NextCheckAt = CosmosJson.Ms(state.NextCheckAt),
        Closed = [.. state.Closed.Select(c => new LeaseEntry(c.ConnectionId, CosmosJson.Ms(c.Until)))],
    };

    public PresenceState ToState() => new(
        UserId,
        [.. Connections.Select(c => new ConnectionLease(c.Id, CosmosJson.Time(c.Until)))],
        CosmosJson.Time(LastSeenAt),
        AnnouncedOnline,
        CosmosJson.Time(OfflineDueAt),
        [.. (Closed ?? []).Select(c => new ConnectionLease(c.Id, CosmosJson.Time(c.Until)))]);

    internal sealed record LeaseEntry(string Id, long Until);
}
