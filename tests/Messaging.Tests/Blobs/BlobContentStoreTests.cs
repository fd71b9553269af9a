using System.Net;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Messaging.Domain.Attachments;
using Messaging.Functions.Storage.Blobs;
using Messaging.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messaging.Tests.Blobs;

/// <summary>The Blob adapter against a real Azurite.</summary>
[Trait(TestCategories.Name, TestCategories.Slow)]
[Collection(AzuriteCollection.Name)]
public sealed class BlobContentStoreTests(AzuriteFixture azurite)
{
    private const int BlockSize = 64 * 1024;
    private static readonly HttpClient Http = new();

    private static BlobContentStore StoreFor(BlobContainerClient container, TimeSpan? lifetime = null, bool createContainer = false) =>
        new(container, new BlobContentStoreOptions
        {
            BlockSize = BlockSize,
            DownloadUrlLifetime = lifetime ?? TimeSpan.FromMinutes(15),
            CreateContainer = createContainer,
        }, TimeProvider.System, NullLogger<BlobContentStore>.Instance);

    private static Attachment NewAttachment(string fileName = "report.pdf", string contentType = "application/pdf")
    {
        var info = new AttachmentInfo(Guid.NewGuid().ToString("N"), fileName, contentType, 0, "alice", DateTimeOffset.UtcNow);
        return Attachment.Create(info, null);
    }

    private static byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    private static async Task<List<string>> ListAsync(BlobContainerClient container)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }

    [Fact]
    public async Task Saved_content_downloads_through_the_SAS_URL_with_its_headers()
    {
        var container = await azurite.NewContainerAsync();
        var store = StoreFor(container);
        var attachment = NewAttachment("Résumé 2024 \"final\".pdf");
        var bytes = Bytes(1000);

        var stored = await store.SaveAsync(attachment.StorageKey, new MemoryStream(bytes), attachment.Info, 10_000, CancellationToken.None);
        Assert.Equal(bytes.Length, stored);

        var url = await store.GetDownloadUrlAsync(attachment, CancellationToken.None);
        Assert.StartsWith($"http://127.0.0.1:{azurite.Port}/{AzuriteFixture.AccountName}/{container.Name}/", url, StringComparison.Ordinal);
        Assert.Contains("sp=r", url, StringComparison.Ordinal);
        using var response = await Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var disposition = response.Content.Headers.ContentDisposition;
        Assert.Equal("attachment", disposition?.DispositionType);
        Assert.Equal("Résumé 2024 \"final\".pdf", disposition?.FileNameStar);
        Assert.Equal("R_sum_ 2024 _final_.pdf", disposition?.FileName?.Trim('"'));

        // The blob itself carries the same headers (for reads that do not go through a SAS).
        BlobProperties properties = await container.GetBlobClient(attachment.StorageKey).GetPropertiesAsync();
        Assert.Equal("application/pdf", properties.ContentType);
        Assert.Equal(BlobContentStore.ContentDisposition(attachment.Info.FileName), properties.ContentDisposition);
        Assert.Equal("private", properties.CacheControl);
    }

    [Fact]
    public void Content_disposition_has_an_ascii_fallback_and_the_utf8_name()
    {
        Assert.Equal("attachment; filename=\"a b.txt\"; filename*=UTF-8''a%20b.txt", BlobContentStore.ContentDisposition("a b.txt"));
        Assert.Equal("attachment; filename=\"__.png\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.png", BlobContentStore.ContentDisposition("日本.png"));
    }

    [Theory]
    [InlineData(10)] // one Put Blob
    [InlineData(3 * BlockSize)] // staged blocks
    public async Task One_byte_over_the_limit_stores_nothing(int limit)
    {
        var container = await azurite.NewContainerAsync();
        var store = StoreFor(container);
        var attachment = NewAttachment();

        var stored = await store.SaveAsync(attachment.StorageKey, new NonSeekableStream(Bytes(limit + 1)), attachment.Info, limit, CancellationToken.None);

        Assert.Null(stored);
        Assert.Empty(await ListAsync(container));
        Assert.False(await container.GetBlobClient(attachment.StorageKey).ExistsAsync());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(BlockSize)]
    [InlineData(3 * BlockSize)]
    public async Task Content_exactly_at_the_limit_is_stored(int limit)
    {
        var container = await azurite.NewContainerAsync();
        var store = StoreFor(container);
        var attachment = NewAttachment();
        var bytes = Bytes(limit);

        var stored = await store.SaveAsync(attachment.StorageKey, new NonSeekableStream(bytes), attachment.Info, limit, CancellationToken.None);

        Assert.Equal(limit, stored);
        Assert.Equal([attachment.StorageKey], await ListAsync(container));
        var content = await container.GetBlobClient(attachment.StorageKey).DownloadContentAsync();
        Assert.Equal(bytes, content.Value.Content.ToArray());
    }

    [Fact]
    public async Task A_non_seekable_stream_is_uploaded_in_blocks()
    {
        var container = await azurite.NewContainerAsync();
        var store = StoreFor(container);
        var attachment = NewAttachment("big.bin", "application/octet-stream");
        var bytes = Bytes((3 * BlockSize) + 123);

        // Small, uneven reads: blocks are filled across reads.
        var stored = await store.SaveAsync(attachment.StorageKey, new NonSeekableStream(bytes, maxRead: 1000), attachment.Info, 10 * BlockSize, CancellationToken.None);

        Assert.Equal(bytes.Length, stored);
        BlockList blocks = await container.GetBlockBlobClient(attachment.StorageKey).GetBlockListAsync(BlockListTypes.All);
        Assert.Equal([BlockSize, BlockSize, BlockSize, 123], blocks.CommittedBlocks.Select(b => b.SizeLong));
        Assert.Empty(blocks.UncommittedBlocks);

        using var response = await Http.GetAsync(await store.GetDownloadUrlAsync(attachment, CancellationToken.None));
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
    }

    [Fact]
    public async Task Delete_removes_the_blob_and_tolerates_a_missing_one()
    {
        var container = await azurite.NewContainerAsync();
        var store = StoreFor(container);
        var attachment = NewAttachment();
        await store.SaveAsync(attachment.StorageKey, new MemoryStream(Bytes(10)), attachment.Info, 100, CancellationToken.None);
        var url = await store.GetDownloadUrlAsync(attachment, CancellationToken.None);

        await store.DeleteAsync(attachment.StorageKey, CancellationToken.None);
        await store.DeleteAsync(attachment.StorageKey, CancellationToken.None);

        Assert.Empty(await ListAsync(container));
        using var response = await Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task An_expired_or_tampered_SAS_URL_is_refused()
    {
        var container = await azurite.NewContainerAsync();
        var attachment = NewAttachment();
        await StoreFor(container).SaveAsync(attachment.StorageKey, new MemoryStream(Bytes(10)), attachment.Info, 100, CancellationToken.None);

        var expired = await StoreFor(container, lifetime: TimeSpan.FromMinutes(-1)).GetDownloadUrlAsync(attachment, CancellationToken.None);
        using (var response = await Http.GetAsync(expired))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        var valid = await StoreFor(container).GetDownloadUrlAsync(attachment, CancellationToken.None);
        var tampered = valid.Replace("sp=r", "sp=rw", StringComparison.Ordinal);
        using (var response = await Http.GetAsync(tampered))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        var otherName = valid.Replace("rscd=attachment", "rscd=inline", StringComparison.Ordinal);
        Assert.NotEqual(valid, otherName);
        using (var response = await Http.GetAsync(otherName))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    [Fact]
    public async Task The_container_is_created_on_first_use_when_allowed()
    {
        var container = azurite.Service.GetBlobContainerClient($"new-{Guid.NewGuid():N}");
        var attachment = NewAttachment();

        await StoreFor(container, createContainer: true).SaveAsync(attachment.StorageKey, new MemoryStream(Bytes(10)), attachment.Info, 100, CancellationToken.None);

        Assert.True(await container.GetBlobClient(attachment.StorageKey).ExistsAsync());
    }

    [Fact]
    public async Task Without_permission_to_create_a_missing_container_the_upload_fails()
    {
        var container = azurite.Service.GetBlobContainerClient($"missing-{Guid.NewGuid():N}");
        var attachment = NewAttachment();

        var failure = await Assert.ThrowsAsync<Azure.RequestFailedException>(() =>
            StoreFor(container).SaveAsync(attachment.StorageKey, new MemoryStream(Bytes(10)), attachment.Info, 100, CancellationToken.None));
        Assert.Equal(404, failure.Status);
        Assert.False(await container.ExistsAsync());
    }

    /// <summary>A forward-only stream, as a request body is, optionally returning short reads.</summary>
    private sealed class NonSeekableStream(byte[] content, int maxRead = int.MaxValue) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = Math.Min(Math.Min(buffer.Length, maxRead), content.Length - _position);
            content.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
