namespace Messaging.Domain.Attachments;

/// <summary>Where attachment records live (the bytes are in the <see cref="IAttachmentContentStore"/>).</summary>
public interface IAttachmentRepository
{
    Task AddAsync(Attachment attachment, CancellationToken cancellationToken);

    Task<Attachment?> GetAsync(string attachmentId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Attachment>> GetManyAsync(IReadOnlyCollection<string> attachmentIds, CancellationToken cancellationToken);

    /// <summary>Removes the record unless a message uses it; returns false when it was in use or gone.</summary>
    Task<bool> DeleteUnusedAsync(string attachmentId, CancellationToken cancellationToken);
}

/// <summary>Where attachment bytes live: the file system, or Blob storage.</summary>
public interface IAttachmentContentStore
{
    /// <summary>
    /// Streams the content to storage. Returns the number of bytes stored, or null when the
    /// content exceeded <paramref name="maxBytes"/>; then nothing is left behind.
    /// </summary>
    Task<long?> SaveAsync(string storageKey, Stream content, AttachmentInfo info, long maxBytes, CancellationToken cancellationToken);

    Task DeleteAsync(string storageKey, CancellationToken cancellationToken);

    /// <summary>A short-lived URL that downloads the bytes without the bearer token.</summary>
    ValueTask<string> GetDownloadUrlAsync(Attachment attachment, CancellationToken cancellationToken);
}
