namespace Messaging.Domain.Realtime;

/// <summary>Client-to-server hub methods of the API: the twins of <c>POST /messages/</c>, <c>mark_as_read</c>, typing and reactions.</summary>
public static class HubMethods
{
    public const string MessageSend = "message.send";
    public const string MessageRead = "message.read";
    public const string TypingStart = "typing.start";
    public const string TypingStop = "typing.stop";
    public const string ReactionAdd = "reaction.add";
    public const string ReactionRemove = "reaction.remove";

    public static readonly IReadOnlyList<string> All = [MessageSend, MessageRead, TypingStart, TypingStop, ReactionAdd, ReactionRemove];
}
