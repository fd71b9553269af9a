namespace Messaging.Domain.Realtime;

/// <summary>
/// Pushes events to connected clients: the standalone server's own SignalR hub, or Azure SignalR
/// Service. Payloads are serialized once per call, whatever the audience.
/// </summary>
public interface IRealtimePublisher
{
    /// <summary>Sends to every connection of the conversation's participants.</summary>
    Task SendToConversationAsync(string conversationId, IReadOnlyCollection<string> participantIds, string eventName, object payload, CancellationToken cancellationToken);

    /// <summary>Sends to every connection of the given users.</summary>
    Task SendToUsersAsync(IReadOnlyCollection<string> userIds, string eventName, object payload, CancellationToken cancellationToken);

    /// <summary>The users' connections start receiving the conversation's events.</summary>
    Task JoinConversationAsync(string conversationId, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken);

    /// <summary>The users' connections stop receiving the conversation's events.</summary>
    Task LeaveConversationAsync(string conversationId, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken);
}

/// <summary>Event names of API.md.</summary>
public static class EventNames
{
    public const string MessageCreated = "message.created";
    public const string MessageUpdated = "message.updated";
    public const string MessageDeleted = "message.deleted";
    public const string MessageRead = "message.read";
    public const string ConversationCreated = "conversation.created";
    public const string ConversationUpdated = "conversation.updated";
    public const string ConversationDeleted = "conversation.deleted";
    public const string TypingIndicator = "typing.indicator";
}

public sealed record MessageReadEvent(string ConversationId, string UserId, string LastReadMessageId, DateTimeOffset ReadAt);

public sealed record ConversationDeletedEvent(string Id);

public sealed record TypingIndicatorEvent(string ConversationId, string UserId, bool IsTyping, DateTimeOffset ExpiresAt);
