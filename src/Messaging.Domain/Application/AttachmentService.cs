using Messaging.Domain.Attachments;
using Messaging.Domain.Common;

namespace Messaging.Domain.Application;

/// <summary>Use cases of attachments: upload (streamed, size-limited), read, delete.</summary>
public sealed class AttachmentService(
    IAttachmentRepository attachments,
    IAttachmentContentStore contentStore,
    ConversationService conversationService,
    ResourceMapper mapper,
    TimeProvider time,
    MessagingLimits limits,
    UserRateLimiter rateLimiter)
{
    public const int MaxContentTypeLength = 255;

    /// <summary>Admits an upload within the user's budget, before any byte is read.</summary>
    public Outcome AdmitUpload(string userId) =>
        rateLimiter.TryAcquire(RateLimitedAction.Upload, userId);

    /// <summary>
    /// Checks, before any byte is stored, that the caller may upload into the conversation.
    /// </summary>
    public async Task<Outcome> CheckUploadTargetAsync(string userId, string? conversationId, CancellationToken cancellationToken) =>
        conversationId is null || await conversationService.FindParticipantAsync(userId, conversationId, cancellationToken) is not null
            ? Outcome.Success
            : Error.ConversationNotFound;

    /// <summary>
    /// Streams the bytes into the content store. Nothing is visible until
    /// <see cref="CompleteUploadAsync"/> records the attachment.
    /// </summary>
    public async Task<Result<PendingUpload>> StoreContentAsync(string userId, string? fileName, string? contentType, Stream content, CancellationToken cancellationToken)
    {
        var type = NormalizeContentType(contentType);
        if (type is null)
        {
            return Error.Invalid("file", "The file's content type is not a valid media type.");
        }

        var info = new AttachmentInfo(Ids.New(), Attachment.SafeFileName(fileName), type, 0, userId, time.Now());
        var stored = await contentStore.SaveAsync(AttachmentStorageKey.For(info.Id), content, info, limits.MaxAttachmentBytes, cancellationToken);
        if (stored is null)
        {
            return Error.TooLarge($"The file exceeds the limit of {limits.MaxAttachmentBytes} bytes.");
        }

        return new PendingUpload(info with { Size = stored.Value });
    }

    /// <summary>Records a stored upload, or removes its bytes when the caller may not use the conversation.</summary>
    public async Task<Result<AttachmentResource>> CompleteUploadAsync(string userId, PendingUpload upload, string? conversationId, CancellationToken cancellationToken)
    {
        var target = await CheckUploadTargetAsync(userId, conversationId, cancellationToken);
        if (!target.IsSuccess)
        {
            await DiscardAsync(upload, cancellationToken);
            return target.Error;
        }

        var attachment = Attachment.Create(upload.Info, conversationId);
        await attachments.AddAsync(attachment, cancellationToken);
        return await mapper.ToResourceAsync(attachment, cancellationToken);
    }

    public Task DiscardAsync(PendingUpload upload, CancellationToken cancellationToken) =>
        contentStore.DeleteAsync(AttachmentStorageKey.For(upload.Info.Id), cancellationToken);

    public async Task<Result<AttachmentResource>> GetAsync(string userId, string attachmentId, CancellationToken cancellationToken)
    {
        var attachment = await FindVisibleAsync(userId, attachmentId, cancellationToken);
        return attachment is null
            ? Error.AttachmentNotFound
            : await mapper.ToResourceAsync(attachment, cancellationToken);
    }

    /// <summary>The uploader deletes an attachment that no message uses yet; one in a message goes with its message.</summary>
    public async Task<Outcome> DeleteAsync(string userId, string attachmentId, CancellationToken cancellationToken)
    {
        var attachment = await FindVisibleAsync(userId, attachmentId, cancellationToken);
        if (attachment is null)
        {
            return Error.AttachmentNotFound;
        }

        if (attachment.UploadedBy != userId)
        {
            return Error.Forbidden("Only the uploader may delete an attachment.");
        }

        if (attachment.MessageId is not null || !await attachments.DeleteUnusedAsync(attachment.Id, cancellationToken))
        {
            return Error.Conflict("The attachment belongs to a message; delete the message instead.");
        }

        await contentStore.DeleteAsync(attachment.StorageKey, cancellationToken);
        return Outcome.Success;
    }

    /// <summary>The attachment record the caller may see, for serving its bytes.</summary>
    public async Task<Attachment?> FindVisibleAsync(string userId, string attachmentId, CancellationToken cancellationToken)
    {
        if (!Ids.IsWellFormed(attachmentId))
        {
            return null;
        }

        var attachment = await attachments.GetAsync(attachmentId, cancellationToken);
        if (attachment is null)
        {
            return null;
        }

        if (attachment.UploadedBy == userId)
        {
            return attachment;
        }

        return attachment.ConversationId is not null
            && await conversationService.FindParticipantAsync(userId, attachment.ConversationId, cancellationToken) is not null
            ? attachment
            : null;
    }

    private static string? NormalizeContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return "application/octet-stream";
        }

        var trimmed = contentType.Trim();
        if (trimmed.Length > MaxContentTypeLength || trimmed.Any(c => char.IsControl(c) || c > 126))
        {
            return null;
        }

        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < trimmed.Length - 1 ? trimmed : null;
    }
}

/// <summary>Bytes stored for an upload that is not yet recorded.</summary>
public sealed record PendingUpload(AttachmentInfo Info);
