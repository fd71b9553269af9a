using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Messaging.Tests.Support;

namespace Messaging.Tests.Api;

[Collection(ServerCollection.Name)]
public sealed class AttachmentApiTests(TestServer server)
{
    private static async Task<(HttpStatusCode Status, JsonNode? Body)> UploadAsync(HttpClient client, byte[] content, string fileName, string contentType, string? conversationId = null, bool conversationFirst = true)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (conversationId is not null && conversationFirst)
        {
            form.Add(new StringContent(conversationId), "conversationId");
        }

        form.Add(file, "file", fileName);
        if (conversationId is not null && !conversationFirst)
        {
            form.Add(new StringContent(conversationId), "conversationId");
        }

        using var response = await client.PostAsync("/api/messaging/attachments/", form);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Fact]
    public async Task Upload_attach_and_download_round_trips_the_bytes_with_safe_headers()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var conversation = await server.ClientFor(alice).CreateGroupAsync(bob);
        var bytes = "<script>alert(1)</script>"u8.ToArray();

        var (status, attachment) = await UploadAsync(server.ClientFor(alice), bytes, "../../etc/evil.html", "text/html", conversation.Id());
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("evil.html", attachment.Str("fileName"));
        Assert.Equal(bytes.Length, attachment!["size"]!.GetValue<long>());

        var (sent, message) = await server.ClientFor(alice).PostJsonAsync("/api/messaging/messages/", new { conversationId = conversation.Id(), text = "", attachmentIds = new[] { attachment.Id() } });
        Assert.Equal(HttpStatusCode.Created, sent);
        var carried = message!["attachments"]![0]!;
        Assert.Equal(message.Id(), carried.Str("messageId"));

        using var anonymous = server.ClientFor(null);
        using var download = await anonymous.GetAsync(carried.Str("downloadUrl"));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("text/html", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());

        var (bobSees, _) = await server.ClientFor(bob).GetJsonAsync($"/api/messaging/attachments/{attachment.Id()}/");
        Assert.Equal(HttpStatusCode.OK, bobSees);
        var (eveSees, _) = await server.ClientFor(TestApi.NewUser("eve")).GetJsonAsync($"/api/messaging/attachments/{attachment.Id()}/");
        Assert.Equal(HttpStatusCode.NotFound, eveSees);
    }

    [Fact]
    public async Task Tampered_or_missing_signature_does_not_download()
    {
        var alice = TestApi.NewUser("alice");
        var (_, attachment) = await UploadAsync(server.ClientFor(alice), [1, 2, 3], "a.bin", "application/octet-stream");
        var url = attachment.Str("downloadUrl");
        using var anonymous = server.ClientFor(null);

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(url[..^2] + "xx")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(url[..url.IndexOf('?', StringComparison.Ordinal)])).StatusCode);
    }

    [Fact]
    public async Task File_over_the_limit_is_413_and_leaves_no_file_behind()
    {
        var alice = TestApi.NewUser("alice");
        var filesBefore = CountFiles();
        var (status, body) = await UploadAsync(server.ClientFor(alice), new byte[(1024 * 1024) + 1], "big.bin", "application/octet-stream");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal(413, body!["status"]!.GetValue<int>());
        Assert.Equal(filesBefore, CountFiles());

        var (exact, _) = await UploadAsync(server.ClientFor(alice), new byte[1024 * 1024], "max.bin", "application/octet-stream");
        Assert.Equal(HttpStatusCode.Created, exact);
    }

    [Fact]
    public async Task Upload_into_a_foreign_conversation_is_404_whatever_the_part_order()
    {
        var (alice, bob, eve) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"), TestApi.NewUser("eve"));
        var conversation = await server.ClientFor(alice).CreateGroupAsync(bob);
        var filesBefore = CountFiles();

        Assert.Equal(HttpStatusCode.NotFound, (await UploadAsync(server.ClientFor(eve), [1], "x.txt", "text/plain", conversation.Id())).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await UploadAsync(server.ClientFor(eve), [1], "x.txt", "text/plain", conversation.Id(), conversationFirst: false)).Status);
        Assert.Equal(filesBefore, CountFiles());
    }

    [Fact]
    public async Task Only_own_unused_attachments_can_be_attached_and_deleted()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var conversation = await server.ClientFor(alice).CreateGroupAsync(bob);
        var (_, alices) = await UploadAsync(server.ClientFor(alice), [1, 2], "a.txt", "text/plain");

        var (stolen, _) = await server.ClientFor(bob).PostJsonAsync("/api/messaging/messages/", new { conversationId = conversation.Id(), text = "mine now", attachmentIds = new[] { alices.Id() } });
        Assert.Equal(HttpStatusCode.BadRequest, stolen);
        Assert.Equal(HttpStatusCode.NotFound, (await server.ClientFor(bob).SendAsync(HttpMethod.Delete, $"/api/messaging/attachments/{alices.Id()}/")).Status);

        await server.ClientFor(alice).PostJsonAsync("/api/messaging/messages/", new { conversationId = conversation.Id(), text = "file", attachmentIds = new[] { alices.Id() } });
        var (reuse, _) = await server.ClientFor(alice).PostJsonAsync("/api/messaging/messages/", new { conversationId = conversation.Id(), text = "again", attachmentIds = new[] { alices.Id() } });
        Assert.Equal(HttpStatusCode.BadRequest, reuse);
        Assert.Equal(HttpStatusCode.Conflict, (await server.ClientFor(alice).SendAsync(HttpMethod.Delete, $"/api/messaging/attachments/{alices.Id()}/delete/")).Status);

        var (_, loose) = await UploadAsync(server.ClientFor(alice), [3], "b.txt", "text/plain");
        Assert.Equal(HttpStatusCode.NoContent, (await server.ClientFor(alice).SendAsync(HttpMethod.Delete, $"/api/messaging/attachments/{loose.Id()}/")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.ClientFor(alice).GetJsonAsync($"/api/messaging/attachments/{loose.Id()}/")).Status);
    }

    [Fact]
    public async Task Deleting_a_message_deletes_its_attachment_files()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var conversation = await server.ClientFor(alice).CreateGroupAsync(bob);
        var (_, attachment) = await UploadAsync(server.ClientFor(alice), [9, 9, 9], "c.txt", "text/plain", conversation.Id());
        var (_, message) = await server.ClientFor(alice).PostJsonAsync("/api/messaging/messages/", new { conversationId = conversation.Id(), text = "see file", attachmentIds = new[] { attachment.Id() } });
        var url = message!["attachments"]![0].Str("downloadUrl");

        Assert.Equal(HttpStatusCode.NoContent, (await server.ClientFor(alice).SendAsync(HttpMethod.Delete, $"/api/messaging/messages/{message.Id()}/")).Status);
        Assert.False(File.Exists(Path.Combine(server.DataPath, "files", "attachments", attachment.Id())));
        Assert.Equal(HttpStatusCode.NotFound, (await server.ClientFor(null).GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task Deleting_a_message_succeeds_when_its_file_cannot_be_deleted()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var conversation = await server.ClientFor(alice).CreateGroupAsync(bob);
        var (_, attachment) = await UploadAsync(server.ClientFor(alice), [7], "gone.txt", "text/plain", conversation.Id());
        var (_, message) = await server.ClientFor(alice).PostJsonAsync("/api/messaging/messages/", new { conversationId = conversation.Id(), text = "soon gone", attachmentIds = new[] { attachment.Id() } });
        var folder = Path.Combine(server.DataPath, "files", "attachments");
        File.Delete(Path.Combine(folder, attachment.Id()));
        Directory.CreateDirectory(Path.Combine(folder, attachment.Id()));
        File.WriteAllText(Path.Combine(folder, attachment.Id(), "blocker"), "a directory where the file was: File.Delete cannot remove it");

        Assert.Equal(HttpStatusCode.NoContent, (await server.ClientFor(alice).SendAsync(HttpMethod.Delete, $"/api/messaging/messages/{message.Id()}/")).Status);
        var (_, tombstone) = await server.ClientFor(bob).GetJsonAsync($"/api/messaging/messages/{message.Id()}/");
        Assert.NotNull(tombstone!["deletedAt"]);
    }

    [Fact]
    public async Task Upload_that_is_not_multipart_is_415()
    {
        var client = server.ClientFor(TestApi.NewUser());
        using var response = await client.PostAsync("/api/messaging/attachments/", new ByteArrayContent([1, 2, 3]));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    private int CountFiles()
    {
        var folder = Path.Combine(server.DataPath, "files");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Length : 0;
    }
}
