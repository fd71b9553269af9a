using Messaging.Domain.Common;
using Messaging.Domain.Messages;

namespace Messaging.Domain.Application;

/// <summary>What a message carries beyond its text (issue 16): the message it answers, its mentions, its metadata; and the replies to a message.</summary>
public sealed partial class MessageService
{
    // The same answer whether the message does not exist, is in another conversation or was deleted.
    private static readonly Error ReplyTargetInvalid = Error.Invalid("replyToId", "replyToId must name a live message of the same conversation.");

    /// <summary>The live replies to a message the caller can see, oldest first.</summary>
    public async Task<Result<Page<MessageResource>>> ListRepliesAsync(
        string userId, string messageId, int limit, string? continuationToken, CancellationToken cancellationToken)
    {
        var (parent, _) = await FindVisibleAsync(userId, messageId, cancellationToken);
        if (parent is null)
        {
            return Error.MessageNotFound;
        }

        var page = await messages.ListRepliesAsync(parent.ConversationId, parent.Id, limit, continuationToken, cancellationToken);
        if (!page.IsSuccess)
        {
            return page.Error;
        }

        var items = new List<MessageResource>(page.Value.Items.Count);
        foreach (var reply in page.Value.Items)
        {
            items.Add(await mapper.ToResourceAsync(reply, cancellationToken));
        }

        return new Page<MessageResource>(items, page.Value.ContinuationToken);
    }

    private async Task<Result<MessageAddenda?>> ResolveAddendaAsync(string conversationId, SendAddenda? addenda, CancellationToken cancellationToken)
    {
        if (addenda is null)
        {
            return Result<MessageAddenda?>.Success(null);
        }

        var metadata = Metadata.Create(addenda.Metadata);
        if (!metadata.IsSuccess)
        {
            return metadata.Error;
        }

        var mentions = await ResolveMentionsAsync(conversationId, addenda.Mentions, allowEmpty: false, cancellationToken);
        if (!mentions.IsSuccess)
        {
            return mentions.Error;
        }

        ReplyPreview? replyTo = null;
        if (addenda.ReplyToId is not null)
        {
            var parent = Ids.IsWellFormed(addenda.ReplyToId) ? await messages.GetAsync(addenda.ReplyToId, cancellationToken) : null;
            if (parent is null || parent.ConversationId != conversationId || parent.IsDeleted)
            {
                return ReplyTargetInvalid;
            }

            replyTo = ReplyPreview.Of(parent.Id, parent.SenderId, parent.Text, parent.DeletedAt);
        }

        return new MessageAddenda(replyTo?.Id, replyTo, 0, mentions.Value, metadata.Value);
    }

    private async Task<Result<MessageEdit>> ResolveEditAsync(string conversationId, string? text, SendAddenda addenda, CancellationToken cancellationToken)
    {
        if (text is null && addenda.Mentions is null && addenda.Metadata is null)
        {
            return Error.Invalid("text", "Give at least one of text, mentions and metadata.");
        }

        Metadata? metadata = null;
        if (addenda.Metadata is not null)
        {
            var created = Metadata.Create(addenda.Metadata);
            if (!created.IsSuccess)
            {
                return created.Error;
            }

            metadata = created.Value;
        }

        IReadOnlyList<string>? mentions = null;
        if (addenda.Mentions is not null)
        {
            // An edit may clear the mentions with an empty list.
            var resolved = await ResolveMentionsAsync(conversationId, addenda.Mentions, allowEmpty: true, cancellationToken);
            if (!resolved.IsSuccess)
            {
                return resolved.Error;
            }

            mentions = resolved.Value;
        }

        return new MessageEdit(text, mentions, metadata);
    }

    /// <summary>Each mentioned user must be a participant now: one point read each, at most <see cref="Mentions.Max"/>.</summary>
    private async Task<Result<IReadOnlyList<string>>> ResolveMentionsAsync(
        string conversationId, IReadOnlyList<string?>? userIds, bool allowEmpty, CancellationToken cancellationToken)
    {
        var validated = Mentions.Validate(userIds, allowEmpty);
        if (!validated.IsSuccess)
        {
            return validated.Error;
        }

        foreach (var userId in validated.Value)
        {
            if (await conversations.GetParticipantAsync(conversationId, userId, cancellationToken) is null)
            {
                return Error.Invalid("mentions", $"{userId} is not a participant of the conversation.");
            }
        }

        return validated;
    }
}

/// <summary>The parts of a send (and of an edit, without the reply target) beyond text and attachments, as the client gave them.</summary>
public sealed record SendAddenda(
    string? ReplyToId,
    IReadOnlyList<string?>? Mentions,
    IReadOnlyDictionary<string, string?>? Metadata);
