using System.Net;
using System.Text;
using Messaging.Tests.Support;

namespace Messaging.Tests.Api;

/// <summary>JSON bodies are read whole whether the client declares their length or streams them, and at most 1 MB of them.</summary>
[Collection(ServerCollection.Name)]
public sealed class RequestBodyApiTests(TestServer server)
{
    private const int MaxJsonBytes = 1024 * 1024;

    [Theory]
    [InlineData(true, 0)]
    [InlineData(false, 0)]
    [InlineData(true, 200_000)] // beyond what is read into one array on the client's word
    [InlineData(false, 200_000)]
    public async Task A_send_is_read_whole_with_or_without_a_declared_length(bool declared, int padding)
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var id = (await server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        var text = string.Concat(Enumerable.Range(0, 400).Select(i => $"part{i:D4} "));

        using var response = await server.ClientFor(alice).PostAsync("/api/messaging/messages/", Body($$"""{"conversationId":"{{id}}","text":"{{text}}"{{new string(' ', padding)}}}""", declared));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var (_, page) = await server.ClientFor(bob).GetJsonAsync($"/api/messaging/conversations/{id}/messages/");
        Assert.Equal(text.Trim(), page!["value"]![0]!.Str("text"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_one_megabyte_is_413_and_sends_nothing(bool declared)
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var id = (await server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        var prefix = $$"""{"conversationId":"{{id}}","text":"hi","metadata":{"pad":" """;
        var json = prefix + new string(' ', MaxJsonBytes - prefix.Length - 2) + "\"}}";
        Assert.Equal(MaxJsonBytes + 1, Encoding.UTF8.GetByteCount(json));

        using var response = await server.ClientFor(alice).PostAsync("/api/messaging/messages/", Body(json, declared));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var (_, page) = await server.ClientFor(bob).GetJsonAsync($"/api/messaging/conversations/{id}/messages/");
        Assert.Empty(page!["value"]!.AsArray());
    }

    /// <summary>With a Content-Length, or streamed in 1 KB pieces with none (chunked transfer encoding).</summary>
    private static HttpContent Body(string json, bool declared)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        HttpContent content = declared ? new ByteArrayContent(bytes) : new StreamContent(new TrickleStream(bytes), 1024);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>A stream whose length is unknown to HttpClient, so it sends the body chunked.</summary>
    private sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
