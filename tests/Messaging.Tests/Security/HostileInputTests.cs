using System.Net;
using System.Text;
using Messaging.Tests.Support;

namespace Messaging.Tests.Security;

/// <summary>
/// A corpus of hostile bodies and ids against every endpoint that takes input: each answer is a
/// 4xx problem, and the conversation is unchanged afterwards.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class HostileInputTests(TestServer server)
{
    private static readonly string[] HostileBodies =
    [
        "", "null", "[]", "\"text\"", "42", "{", "{\"a\":", "{}}", "{\"conversationId\": }",
        new string('[', 5000) + new string(']', 5000),
        "{\"x\":" + string.Concat(Enumerable.Repeat("{\"x\":", 200)) + "1" + new string('}', 201),
        "{\"conversationId\": 123, \"text\": 5}",
        "{\"conversationId\": [\"a\"], \"userId\": {\"$ne\": null}, \"title\": [], \"taskId\": true, \"participantIds\": \"x\", \"messageIds\": \"x\", \"isTyping\": \"yes\"}",
        "{\"conversationId\": \"x\", \"text\": \"\\ud800\"}",
        "{\"userId\": \"\\ud800\", \"title\": \"\\udfff\", \"taskId\": \"\\ud83d\"}",
        "{\"conversationId\": \"" + new string('a', 100_000) + "\", \"text\": [\"hi\"]}",
        "{\"participantIds\": [" + string.Join(",", Enumerable.Range(0, 5000).Select(i => $"\"u{i}\"")) + "]}",
        "{\"messageIds\": [" + string.Join(",", Enumerable.Range(0, 2000).Select(i => $"\"m{i}\"")) + "]}",
        "{\"userId\": \"\\u0000\", \"title\": \"\\u0000\", \"text\": \"a\\u0000b\"}",
        "{\"userId\": 7, \"title\": \"\\u202Eevil\\u0007\", \"text\": \"\"}",
        "{\"text\": \"" + new string('x', 5001) + "\", \"title\": \"" + new string('t', 201) + "\"}",
    ];

    private static readonly (HttpMethod Method, string Path)[] Endpoints =
    [
        (HttpMethod.Post, "/api/messaging/conversations/"),
        (HttpMethod.Post, "/api/messaging/conversations/direct/"),
        (HttpMethod.Post, "/api/messaging/conversations/task/"),
        (HttpMethod.Post, "/api/messaging/conversations/{c}/add_participant/"),
        (HttpMethod.Post, "/api/messaging/conversations/{c}/remove_participant/"),
        (HttpMethod.Post, "/api/messaging/conversations/{c}/update_title/"),
        (HttpMethod.Post, "/api/messaging/conversations/{c}/typing/"),
        (HttpMethod.Post, "/api/messaging/messages/"),
        (HttpMethod.Patch, "/api/messaging/messages/{m}/"),
        (HttpMethod.Post, "/api/messaging/messages/mark_as_read/"),
        (HttpMethod.Patch, "/api/messaging/conversations/{c}/"),
    ];

    private static readonly string[] HostileIds =
    [
        "' OR 1=1 --", "..%2F..%2Fetc%2Fpasswd", "%00", "%E2%80%AE", "%F0%9F%98%80", new string('9', 300), "{id}", "null", "%2e%2e",
    ];

    [Fact]
    public async Task Every_hostile_body_is_a_4xx_problem_and_changes_nothing()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var client = server.ClientFor(alice);
        var conversation = await client.CreateGroupAsync(bob);
        var c = conversation.Id();
        var m = (await client.SendMessageAsync(c, "original")).Id();
        var before = await SnapshotAsync(client, c);
        var tried = 0;

        foreach (var (method, template) in Endpoints)
        {
            foreach (var body in HostileBodies)
            {
                using var request = new HttpRequestMessage(method, template.Replace("{c}", c, StringComparison.Ordinal).Replace("{m}", m, StringComparison.Ordinal))
                {
                    Content = new StringContent(body, Encoding.UTF8, "application/json"),
                };
                using var response = await client.SendAsync(request);
                var status = (int)response.StatusCode;
                Assert.True(status is >= 400 and < 500, $"{method} {template} with {Preview(body)} answered {status}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                tried++;
            }
        }

        Assert.Equal(before, await SnapshotAsync(client, c));
        Assert.Equal(Endpoints.Length * HostileBodies.Length, tried);
        var (_, list) = await client.GetJsonAsync("/api/messaging/conversations/?limit=100");
        Assert.Single(list!["value"]!.AsArray());
    }

    private static readonly string[] HostileReactions =
    [
        "%20", "abc%20def", "%E2%80%AE", "%E2%80%8B", "%F0%9F%98%80%F0%9F%98%80", "%ED%A0%80", "%FF", "%C0%AF",
        "%3Cscript%3E", "'%3B%20DROP%20TABLE%20reactions%3B%20--", "THUMBS", string.Concat(Enumerable.Repeat("a", 33)),
        string.Concat(Enumerable.Repeat("%F0%9F%91%8D", 40)), "%F0%9F%91%8D%E2%80%8B", "%EF%BF%BD", "1%20",
        "%C2%A9", "%E2%84%A2", "%C2%B0", "%E2%99%A0", "a%CC%81", // ©, ™, °, ♠ (symbols, no emoji presentation), a + combining accent
    ];

    [Fact]
    public async Task Every_hostile_reaction_is_a_400_problem_and_changes_nothing()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var client = server.ClientFor(alice);
        var c = (await client.CreateGroupAsync(bob)).Id();
        var m = (await client.SendMessageAsync(c, "original")).Id();
        var before = await SnapshotAsync(client, c);

        foreach (var reaction in HostileReactions)
        {
            foreach (var method in new[] { HttpMethod.Put, HttpMethod.Delete })
            {
                using var response = await client.SendAsync(new HttpRequestMessage(method, $"/api/messaging/messages/{m}/reactions/{reaction}/"));
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} reaction {reaction} answered {(int)response.StatusCode}");
                Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{method} reaction {reaction} answered no problem");
            }
        }

        foreach (var id in HostileIds)
        {
            using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/messaging/messages/{id}/reactions/%F0%9F%91%8D/"));
            var status = (int)response.StatusCode;
            Assert.True(status is >= 400 and < 500, $"PUT a reaction to message {id} answered {status}");
        }

        // A NUL in the path never reaches the API: the web server refuses the request line itself.
        using (var nul = await client.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/messaging/messages/{m}/reactions/%00/")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, nul.StatusCode);
        }

        Assert.Equal(before, await SnapshotAsync(client, c));
    }

    [Fact]
    public async Task Hostile_replies_mentions_and_metadata_are_400_naming_the_field_and_change_nothing()
    {
        var (alice, bob, stranger) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"), TestApi.NewUser("stranger"));
        var client = server.ClientFor(alice);
        var c = (await client.CreateGroupAsync(bob)).Id();
        var m = (await client.SendMessageAsync(c, "original")).Id();
        var elsewhere = (await server.ClientFor(stranger).SendMessageAsync((await server.ClientFor(stranger).CreateGroupAsync(alice)).Id(), "elsewhere")).Id();
        var before = await SnapshotAsync(client, c);
        var tooMany = Enumerable.Range(0, 51).Select(i => $"u{i}").ToArray();
        var bigMetadata = Enumerable.Range(0, 9).ToDictionary(i => $"k{i}", _ => new string('v', 500));
        var keys = Enumerable.Range(0, 17).ToDictionary(i => $"k{i}", _ => "v");
        (HttpMethod Method, string Path, string Body, string Field)[] cases =
        [
            (HttpMethod.Post, "/api/messaging/messages/", Json(new { conversationId = c, text = "x", replyToId = elsewhere }), "replyToId"),
            (HttpMethod.Post, "/api/messaging/messages/", Json(new { conversationId = c, text = "x", replyToId = "no-such-message" }), "replyToId"),
            (HttpMethod.Post, "/api/messaging/messages/", Json(new { conversationId = c, text = "x", mentions = new[] { stranger } }), "mentions"),
            (HttpMethod.Post, "/api/messaging/messages/", Json(new { conversationId = c, text = "x", mentions = tooMany }), "mentions"),
            (HttpMethod.Post, "/api/messaging/messages/", Json(new { conversationId = c, text = "x", mentions = new[] { bob, bob } }), "mentions"),
            (HttpMethod.Post, "/api/messaging/messages/", Json(new { conversationId = c, text = "x", mentions = Array.Empty<string>() }), "mentions"),
            (HttpMethod.Post, "/api/messaging/messages/", Json(new { conversationId = c, text = "x", metadata = bigMetadata }), "metadata"),
            (HttpMethod.Post, "/api/messaging/messages/", Json(new { conversationId = c, text = "x", metadata = keys }), "metadata"),
            (HttpMethod.Post, "/api/messaging/messages/", Json(new { conversationId = c, text = "x", metadata = new Dictionary<string, string> { ["bad key"] = "v" } }), "metadata"),
            (HttpMethod.Post, "/api/messaging/messages/", Json(new { conversationId = c, text = "x", metadata = new Dictionary<string, string> { ["k"] = new string('v', 513) } }), "metadata"),
            (HttpMethod.Post, "/api/messaging/messages/", """{"conversationId":"CID","text":"x","metadata":{"k":null}}""".Replace("CID", c, StringComparison.Ordinal), "metadata"),
            (HttpMethod.Patch, $"/api/messaging/messages/{m}/", Json(new { mentions = new[] { stranger } }), "mentions"),
            (HttpMethod.Patch, $"/api/messaging/messages/{m}/", Json(new { metadata = keys }), "metadata"),
            (HttpMethod.Patch, $"/api/messaging/conversations/{c}/", Json(new { metadata = bigMetadata }), "metadata"),
            (HttpMethod.Patch, $"/api/messaging/conversations/{c}/", Json(new { title = " " }), "title"),
            (HttpMethod.Post, "/api/messaging/conversations/", Json(new { participantIds = new[] { bob }, metadata = keys }), "metadata"),
        ];

        foreach (var (method, path, body, field) in cases)
        {
            var (status, problem) = await client.SendAsync(method, path, body);
            Assert.True(status == HttpStatusCode.BadRequest, $"{method} {path} with {Preview(body)} answered {status}");
            Assert.True(problem!["errors"]?[field] is not null, $"{method} {path} with {Preview(body)} did not name {field}: {problem.ToJsonString()}");
        }

        Assert.Equal(before, await SnapshotAsync(client, c));
        var (_, list) = await client.GetJsonAsync("/api/messaging/conversations/?limit=100");
        Assert.Equal(2, list!["value"]!.AsArray().Count);
    }

    private static string Json(object value) => System.Text.Json.JsonSerializer.Serialize(value);

    [Fact]
    public async Task Hostile_ids_in_route_segments_are_4xx()
    {
        var client = server.ClientFor(TestApi.NewUser());
        foreach (var id in HostileIds)
        {
            foreach (var path in new[]
            {
                $"/api/messaging/conversations/{id}/", $"/api/messaging/conversations/{id}/messages/", $"/api/messaging/messages/{id}/",
                $"/api/messaging/attachments/{id}/", $"/api/messaging/messages/{id}/replies/",
            })
            {
                using var response = await client.GetAsync(path);
                var status = (int)response.StatusCode;
                Assert.True(status is >= 400 and < 500, $"{path} answered {status}");
            }
        }
    }

    [Fact]
    public async Task Unicode_text_is_stored_verbatim_and_bidi_controls_in_titles_are_refused()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var client = server.ClientFor(alice);
        var c = (await client.CreateGroupAsync(bob)).Id();
        const string text = "héllo 👋🏽 שלום \u202Eevil\u202C 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 <script>alert(1)</script> '; DROP TABLE messages; --";
        var sent = await client.SendMessageAsync(c, text);
        var (_, read) = await client.GetJsonAsync($"/api/messaging/messages/{sent.Id()}/");
        Assert.Equal(text, read.Str("text"));

        var (status, _) = await client.PostJsonAsync($"/api/messaging/conversations/{c}/update_title/", new { title = "a\u0007b" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task Injection_strings_are_plain_data()
    {
        const string injection = "'; DROP TABLE conversations; --";
        var client = server.ClientFor(TestApi.NewUser("alice"));
        var (status, direct) = await client.PostJsonAsync("/api/messaging/conversations/direct/", new { userId = injection });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Contains(direct!["participants"]!.AsArray(), p => p.Str("userId") == injection);
        var sent = await client.SendMessageAsync(direct.Id(), injection);
        Assert.Equal(injection, sent.Str("text"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync($"/api/messaging/conversations/{direct.Id()}/")).Status);
    }

    [Fact]
    public async Task Hostile_presence_queries_are_400_problems_that_name_userIds()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var client = server.ClientFor(alice);
        await client.CreateGroupAsync(bob);
        var queries = new[]
        {
            "", "?userIds=", "?userIds=%20", "?userIds=,", $"?userIds={bob},", $"?userIds={bob},,{alice}", "?userIds=%00", "?userIds=a%07b",
            "?userIds=" + new string('u', 129), "?userIds=" + string.Join(",", Enumerable.Range(0, 101).Select(i => $"u{i}")),
            $"?userIds={bob}&userIds={alice}", "?users=" + bob,
        };

        foreach (var query in queries)
        {
            using var response = await client.GetAsync("/api/messaging/presence/" + query);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"presence{query[..Math.Min(query.Length, 60)]} answered {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("userIds", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var (status, body) = await client.GetJsonAsync("/api/messaging/presence/?userIds=" + string.Join(",", Enumerable.Range(0, 99).Select(i => $"u{i}").Append(bob)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([bob], body!["value"]!.AsArray().Select(p => p!["userId"]!.GetValue<string>()));
    }

    private static async Task<string> SnapshotAsync(HttpClient client, string conversationId)
    {
        var (_, conversation) = await client.GetJsonAsync($"/api/messaging/conversations/{conversationId}/");
        var (_, messages) = await client.GetJsonAsync($"/api/messaging/conversations/{conversationId}/messages/?limit=100");
        conversation!.AsObject().Remove("updatedAt");
        return conversation.ToJsonString() + messages!.ToJsonString();
    }

    private static string Preview(string body) => body.Length > 60 ? body[..60] + "…" : body;
}
