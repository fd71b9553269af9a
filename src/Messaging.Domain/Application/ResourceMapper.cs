using Messaging.Domain.Attachments;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;

namespace Messaging.Domain.Application;

/// <summary>Builds the public resources from aggregates; download URLs come from the content store.</summary>
public sealed class ResourceMapper(IAttachmentContentStore contentStore)
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

    public async Task<MessageResource> ToResourceAsync(Message message, CancellationToken cancellationToken)
    {
        var attachments = new List<AttachmentResource>(message.Attachments.Count);
        foreach (var info in message.Attachments)
        {
            var attachment = Attachment.Restore(info, message.ConversationId, message.Id);
            attachments.Add(await ToResourceAsync(attachment, cancellationToken));
        }

        return new MessageResource(
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
        };
    }

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
