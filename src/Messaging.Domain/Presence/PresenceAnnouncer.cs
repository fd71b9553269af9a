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
/// The audiences are read <see cref="MaxConcurrentReads"/> at a time: a user in 500 conversations
/// waits for about 500 / 8 reads, not 500, and a store is never asked for more than 8 at once.
/// </summary>
public sealed class PresenceAnnouncer(IConversationRepository conversations, IRealtimePublisher publisher)
{
    public const int MaxConcurrentReads = 8;

    public async Task AnnounceAsync(PresenceState state, CancellationToken cancellationToken)
    {
        var payload = PresenceChangedEvent.Of(state);
        var memberships = await conversations.ListMembershipsAsync(state.UserId, cancellationToken);
        var audiences = new ConversationAudience?[memberships.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, memberships.Count),
            new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentReads, CancellationToken = cancellationToken },
            async (i, token) => audiences[i] = await conversations.GetAudienceAsync(memberships[i].ConversationId, token));

        await publisher.SendToConversationsAsync(
            [.. audiences.OfType<ConversationAudience>().Where(a => a.ParticipantIds.Count > 1)], EventNames.PresenceChanged, payload, cancellationToken);
    }
}
