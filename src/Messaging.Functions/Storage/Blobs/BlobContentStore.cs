using System.Buffers;
using System.Globalization;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using Messaging.Domain.Attachments;
using Messaging.Functions.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Storage.Blobs;

/// <summary>
/// Attachment bytes as block blobs (blob name = storage key). Uploads are staged block by block
/// and committed only when the stream ended within the limit, so an oversized or failed upload
/// leaves no blob (its uncommitted blocks are discarded by the service after a week). Downloads
/// are short-lived read-only SAS URLs that also set Content-Type and Content-Disposition.
/// </summary>
public sealed class BlobContentStore : IAttachmentContentStore
{
    /// <summary>The <c>Cache-Control</c> of the blob: the bytes are private to the conversation.</summary>
    public const string CacheControl = "private";

    private readonly BlobContainerClient _container;
    private readonly BlobContentStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<BlobContentStore> _logger;
    private readonly UserDelegationKeyCache _delegationKeys;
    private readonly Lock _containerGate = new();
    private Task? _containerReady;

    public BlobContentStore(BlobContainerClient container, BlobContentStoreOptions options, TimeProvider time, ILogger<BlobContentStore> logger)
    {
        if (options.BlockSize is < 1 or > 100 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The block size must be between 1 byte and 100 MiB.");
        }

        _container = container;
        _options = options;
        _time = time;
        _logger = logger;
        var service = container.GetParentBlobServiceClient();
        _delegationKeys = new UserDelegationKeyCache(
            async (expiresOn, cancellationToken) => (await service.GetUserDelegationKeyAsync(null, expiresOn, cancellationToken)).Value,
            time,
            options.DelegationKeyLifetime);
    }

    public BlobContainerClient Container => _container;

    public async Task<long?> SaveAsync(string storageKey, Stream content, AttachmentInfo info, long maxBytes, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync().WaitAsync(cancellationToken);
        var blob = _container.GetBlockBlobClient(storageKey);
        var headers = new BlobHttpHeaders
        {
            ContentType = info.ContentType,
            ContentDisposition = ContentDisposition(info.FileName),
            CacheControl = CacheControl,
        };

        var blockSize = _options.BlockSize;
        var buffer = ArrayPool<byte>.Shared.Rent(blockSize);
        try
        {
            // Block ids of one blob must have the same length; a fresh prefix per upload keeps a
            // retried upload of the same key from mixing with blocks an earlier attempt left.
            var prefix = Guid.NewGuid().ToString("N");
            var blockIds = new List<string>();
            long total = 0;
            while (true)
            {
                var count = 0;
                int read;
                while (count < blockSize && (read = await content.ReadAsync(buffer.AsMemory(count, blockSize - count), cancellationToken)) > 0)
                {
                    count += read;
                    if (total + count > maxBytes)
                    {
                        Log.BlobUploadTooLarge(_logger, _container.Name, storageKey, maxBytes);
                        return null;
                    }
                }

                var ended = count < blockSize;
                if (blockIds.Count == 0 && ended)
                {
                    // The whole content fits in one block: one Put Blob request.
                    using var single = new MemoryStream(buffer, 0, count, writable: false);
                    await blob.UploadAsync(single, new BlobUploadOptions { HttpHeaders = headers }, cancellationToken);
                    return count;
                }

                if (count > 0)
                {
                    var blockId = Convert.ToBase64String(Encoding.ASCII.GetBytes($"{prefix}-{blockIds.Count.ToString("D6", CultureInfo.InvariantCulture)}"));
                    using var block = new MemoryStream(buffer, 0, count, writable: false);
                    await blob.StageBlockAsync(blockId, block, cancellationToken: cancellationToken);
                    blockIds.Add(blockId);
                    total += count;
                }

                if (ended)
                {
                    break;
                }
            }

            await blob.CommitBlockListAsync(blockIds, new CommitBlockListOptions { HttpHeaders = headers }, cancellationToken);
            return total;
        }
        catch (RequestFailedException exception) when (LogFailure(exception, "upload", storageKey))
        {
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async Task DeleteAsync(string storageKey, CancellationToken cancellationToken)
    {
        try
        {
            await _container.GetBlobClient(storageKey).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException exception) when (LogFailure(exception, "delete", storageKey))
        {
            throw;
        }
    }

    public async ValueTask<string> GetDownloadUrlAsync(Attachment attachment, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(attachment.StorageKey);
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, _time.GetUtcNow().Add(_options.DownloadUrlLifetime))
        {
            BlobContainerName = _container.Name,
            BlobName = blob.Name,
            Resource = "b",
            // Response headers the service sends for this URL (signed, so they cannot be changed).
            ContentType = attachment.Info.ContentType,
            ContentDisposition = ContentDisposition(attachment.Info.FileName),
            CacheControl = CacheControl,
            Protocol = blob.Uri.Scheme == Uri.UriSchemeHttps ? SasProtocol.Https : SasProtocol.HttpsAndHttp,
        };

        // Connection string with an account key: a service SAS signed locally.
        if (blob.CanGenerateSasUri)
        {
            return blob.GenerateSasUri(sas).AbsoluteUri;
        }

        // Entra ID (managed identity): a user-delegation SAS, signed with a cached delegation key.
        UserDelegationKey key;
        try
        {
            key = await _delegationKeys.GetAsync(cancellationToken);
        }
        catch (RequestFailedException exception) when (LogFailure(exception, "get user delegation key", attachment.StorageKey))
        {
            throw;
        }

        if (sas.ExpiresOn > key.SignedExpiresOn)
        {
            sas.ExpiresOn = key.SignedExpiresOn;
        }

        return new BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(key, _container.AccountName) }.ToUri().AbsoluteUri;
    }

    /// <summary>
    /// Creates the container if missing, when <see cref="BlobContentStoreOptions.CreateContainer"/>
    /// allows it (local emulator); in Azure the infrastructure creates it and the identity may not.
    /// Runs once; a failed attempt is retried by the next caller.
    /// </summary>
    public Task EnsureContainerAsync()
    {
        if (!_options.CreateContainer)
        {
            return Task.CompletedTask;
        }

        lock (_containerGate)
        {
            if (_containerReady is null || _containerReady.IsFaulted || _containerReady.IsCanceled)
            {
                _containerReady = CreateContainerAsync();
            }

            return _containerReady;
        }
    }

    /// <summary>
    /// <c>attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded</c> (RFC 6266):
    /// always a download, never rendered inline, with the original name for clients that read
    /// <c>filename*</c>.
    /// </summary>
    public static string ContentDisposition(string fileName)
    {
        var fallback = new StringBuilder(fileName.Length);
        foreach (var c in fileName)
        {
            fallback.Append(c is >= ' ' and <= '~' and not '"' and not '\\' ? c : '_');
        }

        var header = new Microsoft.Net.Http.Headers.ContentDispositionHeaderValue("attachment")
        {
            FileName = $"\"{fallback}\"",
            FileNameStar = fileName,
        };
        return header.ToString();
    }

    private async Task CreateContainerAsync()
    {
        try
        {
            await _container.CreateIfNotExistsAsync(PublicAccessType.None, cancellationToken: CancellationToken.None);
        }
        catch (RequestFailedException exception) when (LogFailure(exception, "create container", ""))
        {
            throw;
        }
    }

    // Logs inside the exception filter (the stack is still intact) and lets the exception go on.
    private bool LogFailure(RequestFailedException exception, string operation, string blobName)
    {
        Log.BlobOperationFailed(_logger, exception, operation, _container.Name, blobName, exception.Status, exception.ErrorCode ?? "");
        return false;
    }
}

/// <summary>Settings of <see cref="BlobContentStore"/>.</summary>
public sealed class BlobContentStoreOptions
{
    public const int DefaultBlockSize = 4 * 1024 * 1024;

    /// <summary>How long a download URL works.</summary>
    public TimeSpan DownloadUrlLifetime { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Bytes per staged block; also the most an upload holds in memory.</summary>
    public int BlockSize { get; init; } = DefaultBlockSize;

    /// <summary>Create the container when missing (emulator); false where the infrastructure owns it.</summary>
    public bool CreateContainer { get; init; }

    /// <summary>Validity of a user delegation key (at most 7 days); renewed at 75% of it.</summary>
    public TimeSpan DelegationKeyLifetime { get; init; } = TimeSpan.FromDays(1);
}
