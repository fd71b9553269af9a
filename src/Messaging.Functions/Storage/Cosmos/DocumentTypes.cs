namespace Messaging.Functions.Storage.Cosmos;

internal static class DocumentTypes
{
    public const string Conversation = "conversation";
    public const string Participant = "participant";
    public const string Claim = "claim";
    public const string Membership = "membership";
    public const string Message = "message";
    public const string Counter = "counter";
    public const string ClientMessage = "clientMessage";
    public const string Attachment = "attachment";
    public const string Change = "change";
    public const string MessageLocator = "messageLocator";
    public const string Presence = "presence";
    public const string Reaction = "reaction";
    public const string ReactionKinds = "reactionKinds";
    public const string ReactionCounter = "reactionCounter";
}
