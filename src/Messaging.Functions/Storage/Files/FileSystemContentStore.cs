using Messaging.Domain.Attachments;
using Messaging.Functions.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Storage.Files;

/// <summary>
/// Attachment bytes as files under the data path. Uploads stream to a temporary file that is
/// moved into place only when complete and within the limit, so a failed or oversized upload
/// leaves nothing behind.
/// </summary>
public sealed class FileSystemContentStore(string root, DownloadUrlSigner signer, ILogger<FileSystemContentStore> logger) : IAttachmentContentStore
{
    private const int BufferSize = 81920;

    public async Task<long?> SaveAsync(string storageKey, Stream content, AttachmentInfo info, long maxBytes, CancellationToken cancellationToken)
    {
        var path = PathFor(storageKey);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.partial";
        long total = 0;
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            {
                var buffer = new byte[BufferSize];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    total += read;
                    if (total > maxBytes)
                    {
                        return null;
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            return total;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Deletes the file. Callers delete after committing the record's removal, so a file that cannot
    /// be deleted is an orphan to log, never a reason to fail a request that already took effect.
    /// </summary>
    public Task DeleteAsync(string storageKey, CancellationToken cancellationToken)
    {
        try
        {
            File.Delete(PathFor(storageKey));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Log.ContentDeleteFailed(logger, exception, storageKey);
        }

        return Task.CompletedTask;
    }

    public ValueTask<string> GetDownloadUrlAsync(Attachment attachment, CancellationToken cancellationToken) =>
        ValueTask.FromResult(signer.Sign(attachment.Id));

    /// <summary>Opens the bytes for the download function; null when the file is gone.</summary>
    public Stream? OpenRead(string storageKey)
    {
        var path = PathFor(storageKey);
        return File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous) : null;
    }

    // Storage keys are derived from generated ids, never from client input; the check keeps it that way.
    private string PathFor(string storageKey)
    {
        var full = Path.GetFullPath(Path.Combine(root, storageKey));
        var rootFull = Path.GetFullPath(root) + Path.DirectorySeparatorChar;
        return full.StartsWith(rootFull, StringComparison.Ordinal)
            ? full
            : throw new ArgumentException("The storage key leaves the attachment folder.", nameof(storageKey));
    }
}
