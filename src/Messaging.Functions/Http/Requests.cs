using Messaging.Domain.Application;

namespace Messaging.Functions.Http;

// Request bodies of docs/api.md. Parameters without a default are required: a missing one is a 400 naming it.

public sealed record CreateGroupRequest(IReadOnlyList<string> ParticipantIds, string? Title = null, IReadOnlyDictionary<string, string?>? Metadata = null);

public sealed record DirectConversationRequest(string UserId);

public sealed record TaskConversationRequest(string TaskId, string? Title = null, IReadOnlyList<string>? ParticipantIds = null);

public sealed record ParticipantRequest(string UserId);

public sealed record TitleRequest(string Title);

public sealed record SendMessageRequest(
    string ConversationId,
    string? Text = null,
    IReadOnlyList<string>? AttachmentIds = null,
    string? ClientMessageId = null,
    string? ReplyToId = null,
    IReadOnlyList<string?>? Mentions = null,
    IReadOnlyDictionary<string, string?>? Metadata = null)
{
    public SendAddenda Addenda => new(ReplyToId, Mentions, Metadata);
}

public sealed record EditMessageRequest(string? Text = null, IReadOnlyList<string?>? Mentions = null, IReadOnlyDictionary<string, string?>? Metadata = null);

public sealed record UpdateConversationRequest(string? Title = null, IReadOnlyDictionary<string, string?>? Metadata = null);

public sealed record MarkAsReadRequest(IReadOnlyList<string>? MessageIds = null, string? ConversationId = null);

public sealed record ReactionRequest(string MessageId, string Reaction);
