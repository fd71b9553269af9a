using System.Net;
using System.Text.Json;
using Messaging.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Messaging.Tests.Realtime;

[Collection(ServerCollection.Name)]
public sealed class RealtimeTests(TestServer server)
{
    private Task<EventClient> ConnectAsync(string userId) => EventClient.ConnectAsync(server.BaseAddress, () => server.TokenFor(userId));

    private static Func<JsonElement, bool> WithId(string id) => payload => payload.GetProperty("id").GetString() == id;

    [Fact]
    public async Task Negotiate_answers_url_and_token_and_refuses_anonymous_callers()
    {
        var (status, body) = await server.ClientFor(TestApi.NewUser()).PostJsonAsync("/api/messaging/negotiate", "{}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.EndsWith("/api/messaging/hub", body.Str("url"), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(body.Str("accessToken")));

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.ClientFor(null).PostJsonAsync("/api/messaging/negotiate", "{}")).Status);
        await Assert.ThrowsAnyAsync<Exception>(() => EventClient.ConnectAsync(server.BaseAddress, () => "not-a-token"));
    }

    [Fact]
    public async Task Hub_negotiate_closes_its_connection_so_that_a_client_keeps_only_its_websocket()
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", server.TokenFor(TestApi.NewUser()));

        using var negotiate = await client.PostAsync("/api/messaging/hub/negotiate?negotiateVersion=1", null);
        Assert.Equal(HttpStatusCode.OK, negotiate.StatusCode);
        Assert.True(negotiate.Headers.ConnectionClose);

        using var health = await client.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.NotEqual(true, health.Headers.ConnectionClose);
    }

    [Fact]
    public async Task Message_events_reach_every_participant_connection_and_nobody_else()
    {
        var (alice, bob, eve) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"), TestApi.NewUser("eve"));
        var id = (await server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        await using var aliceOther = await ConnectAsync(alice);
        await using var bobClient = await ConnectAsync(bob);
        await using var eveClient = await ConnectAsync(eve);

        var sent = await server.ClientFor(alice).SendMessageAsync(id, "hello");
        var atBob = await bobClient.WaitForAsync("message.created", WithId(sent.Id()));
        await aliceOther.WaitForAsync("message.created", WithId(sent.Id()));
        Assert.Equal("hello", atBob.GetProperty("text").GetString());
        Assert.Equal(1, atBob.GetProperty("sequence").GetInt64());

        await server.ClientFor(alice).SendAsync(HttpMethod.Patch, $"/api/messaging/messages/{sent.Id()}/", new { text = "hello!" });
        var updated = await bobClient.WaitForAsync("message.updated", WithId(sent.Id()));
        Assert.Equal("hello!", updated.GetProperty("text").GetString());

        await server.ClientFor(bob).PostJsonAsync("/api/messaging/messages/mark_as_read/", new { conversationId = id });
        var read = await aliceOther.WaitForAsync("message.read", p => p.GetProperty("userId").GetString() == bob);
        Assert.Equal(sent.Id(), read.GetProperty("lastReadMessageId").GetString());

        await server.ClientFor(alice).SendAsync(HttpMethod.Delete, $"/api/messaging/messages/{sent.Id()}/");
        var tombstone = await bobClient.WaitForAsync("message.deleted", WithId(sent.Id()));
        Assert.Equal("", tombstone.GetProperty("text").GetString());

        await eveClient.AssertNoneAsync("message.created");
        Assert.Empty(eveClient.Received);
    }

    [Fact]
    public async Task Conversation_events_follow_membership_while_connected()
    {
        var (alice, bob, carol) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"), TestApi.NewUser("carol"));
        await using var bobClient = await ConnectAsync(bob);
        await using var carolClient = await ConnectAsync(carol);

        var id = (await server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        var created = await bobClient.WaitForAsync("conversation.created", WithId(id));
        Assert.Equal("group", created.GetProperty("type").GetString());

        await server.ClientFor(alice).PostJsonAsync($"/api/messaging/conversations/{id}/add_participant/", new { userId = carol });
        await carolClient.WaitForAsync("conversation.updated", WithId(id));
        var first = await server.ClientFor(alice).SendMessageAsync(id, "welcome carol");
        await carolClient.WaitForAsync("message.created", WithId(first.Id()));

        await server.ClientFor(alice).PostJsonAsync($"/api/messaging/conversations/{id}/remove_participant/", new { userId = carol });
        await carolClient.WaitForAsync("conversation.deleted", WithId(id));
        var afterRemoval = await server.ClientFor(alice).SendMessageAsync(id, "carol is gone");
        await bobClient.WaitForAsync("message.created", WithId(afterRemoval.Id()));
        await carolClient.AssertNoneAsync("message.created", WithId(afterRemoval.Id()));

        await server.ClientFor(alice).PostJsonAsync($"/api/messaging/conversations/{id}/update_title/", new { title = "Renamed" });
        var renamed = await bobClient.WaitForAsync("conversation.updated", p => p.GetProperty("id").GetString() == id && p.GetProperty("title").GetString() == "Renamed");
        Assert.Equal(2, renamed.GetProperty("participants").GetArrayLength());

        await server.ClientFor(alice).SendAsync(HttpMethod.Delete, $"/api/messaging/conversations/{id}/");
        await bobClient.WaitForAsync("conversation.deleted", WithId(id));
    }

    [Fact]
    public async Task Message_created_events_arrive_in_sequence_order_under_concurrent_senders()
    {
        var users = Enumerable.Range(0, 3).Select(i => TestApi.NewUser($"u{i}")).ToArray();
        var id = (await server.ClientFor(users[0]).CreateGroupAsync(users[1], users[2])).Id();
        await using var watcher = await ConnectAsync(users[1]);

        await Task.WhenAll(users.Select(async user =>
        {
            var client = server.ClientFor(user);
            for (var i = 0; i < 20; i++)
            {
                await client.SendMessageAsync(id, $"{user} {i}");
            }
        }));

        await watcher.WaitForAsync("message.created", p => p.GetProperty("sequence").GetInt64() == 60);
        var sequences = watcher.Received.Where(r => r.Name == "message.created").Select(r => r.Payload.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), sequences);
    }

    [Fact]
    public async Task Hub_methods_behave_like_their_rest_twins()
    {
        var (alice, bob, eve) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"), TestApi.NewUser("eve"));
        var id = (await server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        await using var aliceClient = await ConnectAsync(alice);
        await using var bobClient = await ConnectAsync(bob);
        await using var eveClient = await ConnectAsync(eve);

        var sent = await aliceClient.Connection.InvokeAsync<JsonElement>("message.send", new { conversationId = id, text = " via hub ", clientMessageId = "hub-1" });
        Assert.Equal("via hub", sent.GetProperty("text").GetString());
        var again = await aliceClient.Connection.InvokeAsync<JsonElement>("message.send", new { conversationId = id, text = "via hub", clientMessageId = "hub-1" });
        Assert.Equal(sent.GetProperty("id").GetString(), again.GetProperty("id").GetString());
        await bobClient.WaitForAsync("message.created", WithId(sent.GetProperty("id").GetString()!));

        var marked = await bobClient.Connection.InvokeAsync<JsonElement>("message.read", new { conversationId = id });
        Assert.Equal(sent.GetProperty("id").GetString(), marked.GetProperty("updated")[0].GetProperty("lastReadMessageId").GetString());

        var notFound = await Assert.ThrowsAsync<HubException>(() => eveClient.Connection.InvokeAsync<JsonElement>("message.send", new { conversationId = id, text = "let me in" }));
        Assert.Contains("Conversation was not found", notFound.Message, StringComparison.Ordinal);
        var invalid = await Assert.ThrowsAsync<HubException>(() => aliceClient.Connection.InvokeAsync<JsonElement>("message.send", new { conversationId = id, text = "  " }));
        Assert.Contains("text", invalid.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<HubException>(() => aliceClient.Connection.InvokeAsync<JsonElement>("message.send", new { text = "where" }));
        Assert.Contains("conversationId", missing.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<HubException>(() => eveClient.Connection.InvokeAsync("typing.start", new { conversationId = id }));
    }

    [Fact]
    public async Task Typing_reaches_the_others_only_expires_and_is_rate_limited()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var id = (await server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        await using var aliceClient = await ConnectAsync(alice);
        await using var bobClient = await ConnectAsync(bob);

        await aliceClient.Connection.InvokeAsync("typing.start", new { conversationId = id });
        var started = await bobClient.WaitForAsync("typing.indicator", p => p.GetProperty("isTyping").GetBoolean());
        Assert.Equal(alice, started.GetProperty("userId").GetString());
        var expiresIn = started.GetProperty("expiresAt").GetDateTimeOffset() - DateTimeOffset.UtcNow;
        Assert.InRange(expiresIn.TotalSeconds, 8, 11);

        var (status, _) = await server.ClientFor(alice).PostJsonAsync($"/api/messaging/conversations/{id}/typing/", new { isTyping = false });
        Assert.Equal(HttpStatusCode.Accepted, status);
        await bobClient.WaitForAsync("typing.indicator", p => !p.GetProperty("isTyping").GetBoolean());
        await aliceClient.AssertNoneAsync("typing.indicator");

        var client = server.ClientFor(alice);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 25; i++)
        {
            statuses.Add((await client.PostJsonAsync($"/api/messaging/conversations/{id}/typing/", new { isTyping = true })).Status);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        using var limited = await client.PostAsync($"/api/messaging/conversations/{id}/typing/", new StringContent("{\"isTyping\":true}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        var indicators = bobClient.Received.Count(r => r.Name == "typing.indicator");
        Assert.InRange(indicators, 2, 4);
    }
}
