using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Messaging.Tests.Support;

namespace Messaging.Tests.Blobs;

/// <summary>The standalone server with <c>Attachments:ConnectionString</c> pointing at Azurite: the REST API end to end.</summary>
[Trait(TestCategories.Name, TestCategories.Slow)]
[Collection(AzuriteCollection.Name)]
public sealed class BlobApiTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly TestServer _server = new();
    private readonly string _container = $"api-{Guid.NewGuid():N}";

    public Task InitializeAsync()
    {
        _server.Settings["Attachments:ConnectionString"] = azurite.ConnectionString;
        _server.Settings["Attachments:Container"] = _container;
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonNode? Body)> UploadAsync(string userId, byte[] content, string fileName, string contentType)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        form.Add(file, "file", fileName);
        using var response = await _server.ClientFor(userId).PostAsync("/api/messaging/attachments/", form);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private async Task<List<string>> BlobNamesAsync()
    {
        var names = new List<string>();
        await foreach (var blob in azurite.Service.GetBlobContainerClient(_container).GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }

    [Fact]
    public async Task Upload_returns_a_SAS_download_URL_that_serves_the_bytes()
    {
        var alice = TestApi.NewUser("alice");
        var bytes = new byte[300_000];
        new Random(7).NextBytes(bytes);

        var (status, attachment) = await UploadAsync(alice, bytes, "photo.png", "image/png");

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(bytes.Length, attachment!["size"]!.GetValue<long>());
        Assert.Equal([$"attachments/{attachment.Id()}"], await BlobNamesAsync());
        var url = attachment.Str("downloadUrl");
        Assert.StartsWith($"http://127.0.0.1:{azurite.Port}/{AzuriteFixture.AccountName}/{_container}/attachments/{attachment.Id()}?", url, StringComparison.Ordinal);

        using var anonymous = new HttpClient();
        using var download = await anonymous.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("photo.png", download.Content.Headers.ContentDisposition?.FileNameStar);

        // No standalone file downloads in blob mode.
        using var files = await _server.ClientFor(null).GetAsync($"/api/messaging/files/{attachment.Id()}?expires=9999999999&signature=x");
        Assert.Equal(HttpStatusCode.NotFound, files.StatusCode);

        using var deleted = await _server.ClientFor(alice).DeleteAsync($"/api/messaging/attachments/{attachment.Id()}/");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(await BlobNamesAsync());
    }

    [Fact]
    public async Task A_file_over_the_limit_is_413_and_leaves_no_blob()
    {
        var (status, body) = await UploadAsync(TestApi.NewUser("alice"), new byte[(1024 * 1024) + 1], "big.bin", "application/octet-stream");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal(413, body!["status"]!.GetValue<int>());
        Assert.Empty(await BlobNamesAsync());
    }
}
