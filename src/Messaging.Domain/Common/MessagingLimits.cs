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

    /// <summary>Distinct reactions one message may carry (docs/api.md: 20).</summary>
    public int MaxDistinctReactions { get; set; } = 20;

    /// <summary>Sustained sends per user and second (REST and hub); 0 turns the limit off.</summary>
    public double SendsPerSecond { get; set; } = 10;

    /// <summary>Sends a user may make at once above the sustained rate.</summary>
    public int SendBurst { get; set; } = 30;

    /// <summary>Uploads per user and minute; 0 turns the limit off.</summary>
    public double UploadsPerMinute { get; set; } = 30;

    /// <summary>Uploads a user may make at once above the sustained rate.</summary>
    public int UploadBurst { get; set; } = 10;

    /// <summary>Sustained reaction changes (adds and removals, REST and hub) per user and second; 0 turns the limit off.</summary>
    public double ReactionsPerSecond { get; set; } = 5;

    /// <summary>Reaction changes a user may make at once above the sustained rate.</summary>
    public int ReactionBurst { get; set; } = 20;

    /// <summary>SignalR connections one user may hold on the standalone hub.</summary>
    public int MaxConnectionsPerUser { get; set; } = 20;
}
