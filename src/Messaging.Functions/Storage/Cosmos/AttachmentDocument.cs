using Messaging.Domain.Attachments;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>An attachment record. Partition key /pk, its id.</summary>
internal sealed class AttachmentDocument
{
    public required string Id { get; set; }

    public string Type { get; set; } = DocumentTypes.Attachment;

    public required string FileName { get; set; }

    public required string ContentType { get; set; }

    public long Size { get; set; }

    public required string UploadedBy { get; set; }

    public long CreatedAt { get; set; }

    public string? ConversationId { get; set; }

    public string? MessageId { get; set; }

    public static AttachmentDocument From(Attachment attachment) => new()
    {
        Id = attachment.Id,
        FileName = attachment.Info.FileName,
        ContentType = attachment.Info.ContentType,
        Size = attachment.Info.Size,
        UploadedBy = attachment.UploadedBy,
        CreatedAt = CosmosJson.Ms(attachment.Info.CreatedAt),
        ConversationId = attachment.ConversationId,
        MessageId = attachment.MessageId,
    };

    public Attachment ToAttachment() =>
        Attachment.Restore(new AttachmentInfo(Id, FileName, ContentType, Size, UploadedBy, CosmosJson.Time(CreatedAt)), ConversationId, MessageId);
}
