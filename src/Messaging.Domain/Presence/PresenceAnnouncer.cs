using Messaging.Domain.Conversations;
using Messaging.Domain.Realtime;

namespace Messaging.Domain.Presence;

/// <summary>The payload of <c>presence.changed</c>: <c>status</c> is <c>online</c> or <c>offline</c>.</summary>
public sealed record PresenceChangedEvent(string UserId, string Status, DateTimeOffset? LastSeenAt)
{
    public const string Online = "online";
    public const string Offline = "offline";

    public static PresenceChangedEvent Of(PresenceState state) => new(state.UserId, state.IsOnline ? Online : Offline, state.LastSeenAt);
}

/// <summary>
/// Sends <c>presence.changed</c> to the users who share a conversation with the user: one send per
/// conversation of the user, to that conversation's audience (on Azure SignalR Service one call to
/// its membership-epoch group, whatever its size), never a list of co-participants built here. A
/// user who shares several conversations with them may receive the event once per conversation.
/// </summary>
public sealed class PresenceAnnouncer(IConversationRepository conversations, IRealtimePublisher publisher)
{
    public async Task AnnounceAsync(PresenceState state, CancellationToken cancellationToken)
    {
        var payload = PresenceChangedEvent.Of(state);
        var audiences = new List<ConversationAudience>();
        foreach (var membership in await conversations.ListMembershipsAsync(state.UserId, cancellationToken))
        {
            if (await conversations.GetAudienceAsync(membership.ConversationId, cancellationToken) is { } audience && audience.ParticipantIds.Count > 1)
            {
                audiences.Add(audience);
            }
        }

        await publisher.SendToConversationsAsync(audiences, EventNames.PresenceChanged, payload, cancellationToken);
    }
}
