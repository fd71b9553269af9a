using Messaging.Domain.Conversations;

namespace Messaging.Domain.Realtime;

/// <summary>
/// Who receives a conversation's events: its committed participants, and the membership epoch of
/// the state they were read from (see <see cref="Conversation.MembershipEpoch"/>).
/// </summary>
public sealed record ConversationAudience(string ConversationId, long MembershipEpoch, IReadOnlyList<string> ParticipantIds)
{
    public static ConversationAudience Of(Conversation conversation) =>
        new(conversation.Id, conversation.MembershipEpoch, [.. conversation.Participants.Select(p => p.UserId)]);
}

/// <summary>
/// Pushes events to connected clients: the standalone server's own SignalR hub, or Azure SignalR
/// Service. Payloads are serialized once per call, whatever the audience. An implementation must
/// never deliver to anyone outside the audience it is given, whatever the service does.
/// </summary>
public interface IRealtimePublisher
{
    /// <summary>Sends to every connection of the audience's participants, and no one else.</summary>
    Task SendToConversationAsync(ConversationAudience audience, string eventName, object payload, CancellationToken cancellationToken);

    /// <summary>Sends to every connection of the given users.</summary>
    Task SendToUsersAsync(IReadOnlyCollection<string> userIds, string eventName, object payload, CancellationToken cancellationToken);

    /// <summary>
    /// Sends one event to the audiences of several conversations, one send per conversation; a user in
    /// several of them may receive it once per conversation, unless the publisher can merge them cheaply.
    /// </summary>
    async Task SendToConversationsAsync(IReadOnlyList<ConversationAudience> audiences, string eventName, object payload, CancellationToken cancellationToken)
    {
        foreach (var audience in audiences)
        {
            await SendToConversationAsync(audience, eventName, payload, cancellationToken);
        }
    }

    /// <summary>The users, participants of <paramref name="audience"/>, start receiving the conversation's events on every connection.</summary>
    Task JoinConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken);

    /// <summary>
    /// Tidies up after users lost access. Safety never depends on it: an audience never includes a
    /// removed user, so this is cleanup of service state and may fail without consequence.
    /// </summary>
    Task LeaveConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken);
}

public sealed record MessageReadEvent(string ConversationId, string UserId, string LastReadMessageId, DateTimeOffset ReadAt);

public sealed record ConversationDeletedEvent(string Id);

public sealed record TypingIndicatorEvent(string ConversationId, string UserId, bool IsTyping, DateTimeOffset ExpiresAt);

public sealed record ReactionEvent(string ConversationId, string MessageId, string UserId, string Reaction, int Count);
