using Messaging.Domain.Attachments;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;

namespace Messaging.Domain.Application;

/// <summary>
/// Builds the public resources from aggregates; download URLs come from the content store, reaction
/// counts from the reaction store (none without one, for hosts and tests that do not use reactions).
/// </summary>
public sealed class ResourceMapper(IAttachmentContentStore contentStore, IReactionRepository? reactions = null)
{
    public static ParticipantResource ToResource(Participant participant) =>
        new(participant.UserId, WireNames.Of(participant.Role), participant.JoinedAt, participant.Watermark?.MessageId, participant.Watermark?.ReadAt);

    /// <summary>The conversation resource: the view's listed participants (at most 20) and their count, whatever the group's size.</summary>
    public async Task<ConversationResource> ToResourceAsync(ConversationView conversation, Message? lastMessage, int? unreadCount, CancellationToken cancellationToken) =>
        new(
            conversation.Id,
            WireNames.Of(conversation.Type),
            conversation.Title,
            conversation.TaskId,
            conversation.CreatedBy,
            conversation.CreatedAt,
            conversation.UpdatedAt,
            [.. conversation.Listed().Select(ToResource)],
            conversation.ParticipantCount,
            lastMessage is null ? null : await ToResourceAsync(lastMessage, cancellationToken),
            unreadCount)
        {
            Metadata = conversation.Metadata.Values,
        };

    /// <summary>The message as every participant sees it (events): its reaction counts, no <c>myReactions</c>.</summary>
    public Task<MessageResource> ToResourceAsync(Message message, CancellationToken cancellationToken) =>
        ToResourceAsync(message, null, cancellationToken);

    /// <summary>The message with its reaction counts and, given a viewer, the viewer's own reactions (REST answers): one read.</summary>
    public async Task<MessageResource> ToResourceAsync(Message message, string? viewerId, CancellationToken cancellationToken)
    {
        var found = await ReactionsOfAsync(message.ConversationId, [message], viewerId, cancellationToken);
        return await MapAsync(message, found.GetValueOrDefault(message.Id), viewerId, cancellationToken);
    }

    /// <summary>A page of one conversation's messages for a viewer: the reactions of the whole page in one read.</summary>
    public async Task<IReadOnlyList<MessageResource>> ToResourcesAsync(
        string conversationId, IReadOnlyList<Message> messages, string viewerId, CancellationToken cancellationToken)
    {
        var found = await ReactionsOfAsync(conversationId, messages, viewerId, cancellationToken);
        var resources = new List<MessageResource>(messages.Count);
        foreach (var message in messages)
        {
            resources.Add(await MapAsync(message, found.GetValueOrDefault(message.Id), viewerId, cancellationToken));
        }

        return resources;
    }

    /// <summary>A message just appended: it has no reactions yet, so none are read (the send path stays one write).</summary>
    public async Task<MessageResource> ToNewResourceAsync(Message message, string? viewerId, CancellationToken cancellationToken) =>
        await MapAsync(message, null, viewerId, cancellationToken);

    private async Task<IReadOnlyDictionary<string, MessageReactions>> ReactionsOfAsync(
        string conversationId, IReadOnlyList<Message> messages, string? viewerId, CancellationToken cancellationToken)
    {
        // A tombstone has lost its reactions: it is not asked for.
        var live = messages.Where(m => !m.IsDeleted).Select(m => m.Id).ToList();
        return reactions is null || live.Count == 0
            ? new Dictionary<string, MessageReactions>()
            : await reactions.GetAsync(conversationId, live, viewerId, cancellationToken);
    }

    /// <summary>
    /// Built once per message, reactions included (a history page maps 50 of them); the download
    /// URLs are the only awaited part, so a message without attachments completes synchronously.
    /// </summary>
    private ValueTask<MessageResource> MapAsync(Message message, MessageReactions? found, string? viewerId, CancellationToken cancellationToken) =>
        message.Attachments.Count == 0
            ? ValueTask.FromResult(Map(message, [], found, viewerId))
            : MapWithAttachmentsAsync(message, found, viewerId, cancellationToken);

    private async ValueTask<MessageResource> MapWithAttachmentsAsync(Message message, MessageReactions? found, string? viewerId, CancellationToken cancellationToken)
    {
        var attachments = new List<AttachmentResource>(message.Attachments.Count);
        foreach (var info in message.Attachments)
        {
            var attachment = Attachment.Restore(info, message.ConversationId, message.Id);
            attachments.Add(await ToResourceAsync(attachment, cancellationToken));
        }

        return Map(message, attachments, found, viewerId);
    }

    private static MessageResource Map(Message message, IReadOnlyList<AttachmentResource> attachments, MessageReactions? found, string? viewerId) =>
        new(
            message.Id,
            message.ConversationId,
            message.SenderId,
            message.Sequence,
            message.Text,
            attachments,
            message.ClientMessageId,
            message.CreatedAt,
            message.EditedAt,
            message.DeletedAt)
        {
            ReplyTo = message.ReplyTo is { } parent ? new ReplyPreviewResource(parent.Id, parent.SenderId, parent.Text, parent.DeletedAt) : null,
            ReplyCount = message.ReplyCount,
            Mentions = message.Mentions,
            Metadata = message.Metadata.Values,
            Reactions = found is null ? [] : [.. found.Counts.Select(c => new ReactionCountResource(c.Reaction, c.Count))],
            MyReactions = viewerId is null ? null : found?.Mine ?? [],
        };

    public async Task<AttachmentResource> ToResourceAsync(Attachment attachment, CancellationToken cancellationToken) =>
        new(
            attachment.Id,
            attachment.Info.FileName,
            attachment.Info.ContentType,
            attachment.Info.Size,
            attachment.UploadedBy,
            attachment.Info.CreatedAt,
            attachment.ConversationId,
            attachment.MessageId,
            await contentStore.GetDownloadUrlAsync(attachment, cancellationToken));
}
