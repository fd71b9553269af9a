namespace Messaging.Domain.Common;

/// <summary>The limits the service enforces; configured by the host.</summary>
public sealed class MessagingLimits
{
    public int MaxMessageLength { get; set; } = 5000;

    public long MaxAttachmentBytes { get; set; } = 25L * 1024 * 1024;

    public int MaxParticipants { get; set; } = 1000;

    public int MaxTitleLength { get; set; } = 200;

    public int MaxClientMessageIdLength { get; set; } = 100;

    public int MaxAttachmentsPerMessage { get; set; } = 10;
}
