using Messaging.Domain.Attachments;
using Messaging.Domain.Messages;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>A message (or tombstone). Partition key /conversationId.</summary>
internal sealed class MessageDocument
{
    public required string Id { get; set; }

    public string Type { get; set; } = DocumentTypes.Message;

    public required string ConversationId { get; set; }

    public required string SenderId { get; set; }

    public long Sequence { get; set; }

    public string Text { get; set; } = "";

    public List<AttachmentInfoDocument> Attachments { get; set; } = [];

    public string? ClientMessageId { get; set; }

    public long CreatedAt { get; set; }

    public long? EditedAt { get; set; }

    public long? DeletedAt { get; set; }

    // Replies, mentions and metadata (issue 16). replyCount is always written, so a reply's Increment finds a number.
    public string? ReplyToId { get; set; }

    public int ReplyCount { get; set; }

    public List<string>? Mentions { get; set; }

    public Dictionary<string, string>? Metadata { get; set; }

    /// <summary>The document of <paramref name="message"/>; <paramref name="replyCount"/> is the stored counter, which only replies move.</summary>
    public static MessageDocument From(Message message, long sequence, int replyCount = 0) => new()
    {
        Id = message.Id,
        ConversationId = message.ConversationId,
        SenderId = message.SenderId,
        Sequence = sequence,
        Text = message.Text,
        Attachments = [.. message.Attachments.Select(AttachmentInfoDocument.From)],
        ClientMessageId = message.ClientMessageId,
        CreatedAt = CosmosJson.Ms(message.CreatedAt),
        EditedAt = CosmosJson.Ms(message.EditedAt),
        DeletedAt = CosmosJson.Ms(message.DeletedAt),
        ReplyToId = message.ReplyToId,
        ReplyCount = replyCount,
        Mentions = message.Mentions.Count == 0 ? null : [.. message.Mentions],
        Metadata = message.Metadata.Count == 0 ? null : new Dictionary<string, string>(message.Metadata.Values, StringComparer.Ordinal),
    };

    /// <summary>The message, with the preview of the message it answers when <paramref name="parent"/> is that message's document.</summary>
    public Message ToMessage(MessageDocument? parent = null) =>
        Message.Restore(
            Id, ConversationId, SenderId, Sequence, Text, Attachments.Select(a => a.ToInfo()), ClientMessageId,
            CosmosJson.Time(CreatedAt), CosmosJson.Time(EditedAt), CosmosJson.Time(DeletedAt),
            new MessageAddenda(
                ReplyToId,
                ReplyToId is not null && parent is not null ? ReplyPreview.Of(parent.Id, parent.SenderId, parent.Text, CosmosJson.Time(parent.DeletedAt)) : null,
                ReplyCount,
                Mentions,
                Domain.Common.Metadata.Restore(Metadata)));
}

internal sealed class AttachmentInfoDocument
{
    public required string Id { get; set; }

    public required string FileName { get; set; }

    public required string ContentType { get; set; }

    public long Size { get; set; }

    public required string UploadedBy { get; set; }

    public long CreatedAt { get; set; }

    public static AttachmentInfoDocument From(AttachmentInfo info) => new()
    {
        Id = info.Id,
        FileName = info.FileName,
        ContentType = info.ContentType,
        Size = info.Size,
        UploadedBy = info.UploadedBy,
        CreatedAt = CosmosJson.Ms(info.CreatedAt),
    };

    public AttachmentInfo ToInfo() => new(Id, FileName, ContentType, Size, UploadedBy, CosmosJson.Time(CreatedAt));
}
