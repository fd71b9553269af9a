namespace Messaging.Domain.Realtime;

/// <summary>Event names of the API.</summary>
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
    public const string PresenceChanged = "presence.changed";
    public const string ReactionAdded = "reaction.added";
    public const string ReactionRemoved = "reaction.removed";
}
