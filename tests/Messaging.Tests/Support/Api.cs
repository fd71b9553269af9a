using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Messaging.Tests.Support;

/// <summary>Small helpers for calling the API as a user and reading its JSON.</summary>
public static class TestApi
{
    public static string NewUser(string name = "user") => $"{name}-{Guid.NewGuid():N}"[..24];

    public static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(this HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is string raw)
        {
            request.Content = new StringContent(raw, System.Text.Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public static Task<(HttpStatusCode Status, JsonNode? Body)> GetJsonAsync(this HttpClient client, string path) => client.SendAsync(HttpMethod.Get, path);

    public static Task<(HttpStatusCode Status, JsonNode? Body)> PostJsonAsync(this HttpClient client, string path, object? body) => client.SendAsync(HttpMethod.Post, path, body);

    public static async Task<JsonNode> CreateGroupAsync(this HttpClient client, params string[] participantIds)
    {
        var (status, body) = await client.PostJsonAsync("/api/messaging/conversations/", new { title = "Team", participantIds });
        Assert.Equal(HttpStatusCode.Created, status);
        return body!;
    }

    public static async Task<JsonNode> SendMessageAsync(this HttpClient client, string conversationId, string text, string? clientMessageId = null)
    {
        var (status, body) = await client.PostJsonAsync("/api/messaging/messages/", new { conversationId, text, clientMessageId });
        Assert.Equal(HttpStatusCode.Created, status);
        return body!;
    }

    public static string Id(this JsonNode? node) => node!["id"]!.GetValue<string>();

    public static string Str(this JsonNode? node, string name) => node![name]!.GetValue<string>();

    public static JsonElement AsElement(this JsonNode node) => JsonSerializer.Deserialize<JsonElement>(node.ToJsonString());
}
