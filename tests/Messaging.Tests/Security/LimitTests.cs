using System.Net;
using System.Net.Http.Json;
using Messaging.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Messaging.Tests.Security;

/// <summary>Its own server with small limits, so that reaching them is quick.</summary>
public sealed class LimitTests : IAsyncLifetime
{
    private readonly TestServer _server = new()
    {
        Settings =
        {
            // One token per 100 s: no send budget comes back while a slow machine runs the test.
            ["Messaging:SendsPerSecond"] = "0.01",
            ["Messaging:SendBurst"] = "5",
            ["Messaging:UploadsPerMinute"] = "1",
            ["Messaging:UploadBurst"] = "2",
            ["Messaging:ReactionsPerSecond"] = "0.01",
            ["Messaging:ReactionBurst"] = "4",
            ["Messaging:MaxConnectionsPerUser"] = "2",
            ["Messaging:MaxParticipants"] = "3",
        },
    };

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Sends_beyond_the_burst_are_429_with_retry_after_over_rest_and_hub()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var id = (await _server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        var client = _server.ClientFor(alice);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add((await client.PostJsonAsync("/api/messaging/messages/", new { conversationId = id, text = $"m{i}" })).Status);
        }

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        using var limited = await client.PostAsJsonAsync("/api/messaging/messages/", new { conversationId = id, text = "more" });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        // Retry-After: the time one token takes to come back at the sustained rate (0.01/s), in whole seconds.
        Assert.Equal(TimeSpan.FromSeconds(100), limited.Headers.RetryAfter?.Delta);

        await using var hub = await EventClient.ConnectAsync(_server.BaseAddress, () => _server.TokenFor(alice));
        var error = await Assert.ThrowsAsync<HubException>(() => hub.Connection.InvokeAsync<object>("message.send", new { conversationId = id, text = "hub" }));
        Assert.Contains("Too many send requests", error.Message, StringComparison.Ordinal);

        var (_, page) = await _server.ClientFor(bob).GetJsonAsync($"/api/messaging/conversations/{id}/messages/");
        Assert.Equal(5, page!["value"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.Created, (await _server.ClientFor(bob).PostJsonAsync("/api/messaging/messages/", new { conversationId = id, text = "bob is not limited by alice" })).Status);
    }

    [Fact]
    public async Task Reactions_and_their_removals_beyond_the_burst_are_429_with_retry_after_over_rest_and_hub()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var id = (await _server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        var (_, sent) = await _server.ClientFor(bob).PostJsonAsync("/api/messaging/messages/", new { conversationId = id, text = "vote" });
        var messageId = sent!["id"]!.GetValue<string>();
        var client = _server.ClientFor(alice);
        var statuses = new List<HttpStatusCode>();
        foreach (var (method, reaction) in new[] { ("PUT", "a"), ("DELETE", "a"), ("PUT", "b"), ("PUT", "c"), ("PUT", "d"), ("DELETE", "b") })
        {
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/api/messaging/messages/{messageId}/reactions/{reaction}/"));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal(TimeSpan.FromSeconds(100), response.Headers.RetryAfter?.Delta);
            }
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        await using var hub = await EventClient.ConnectAsync(_server.BaseAddress, () => _server.TokenFor(alice));
        var error = await Assert.ThrowsAsync<HubException>(() => hub.Connection.InvokeAsync<object>("reaction.add", new { messageId, reaction = "e" }));
        Assert.Contains("Too many reaction requests", error.Message, StringComparison.Ordinal);

        // Refused reactions changed nothing; another user has their own budget.
        var (_, page) = await _server.ClientFor(bob).GetJsonAsync($"/api/messaging/conversations/{id}/messages/");
        Assert.Equal(["b", "c"], page!["value"]![0]!["reactions"]!.AsArray().Select(r => r!["reaction"]!.GetValue<string>()).Order());
        using var bobs = await _server.ClientFor(bob).SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/messaging/messages/{messageId}/reactions/a/"));
        Assert.Equal(HttpStatusCode.OK, bobs.StatusCode);
    }

    [Fact]
    public async Task Uploads_beyond_the_burst_are_429()
    {
        var client = _server.ClientFor(TestApi.NewUser("uploader"));
        var statuses = new List<HttpStatusCode>();
        TimeSpan? retryAfter = null;
        for (var i = 0; i < 3; i++)
        {
            using var form = new MultipartFormDataContent { { new ByteArrayContent([1]), "file", "a.bin" } };
            using var response = await client.PostAsync("/api/messaging/attachments/", form);
            statuses.Add(response.StatusCode);
            retryAfter = response.Headers.RetryAfter?.Delta;
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(TimeSpan.FromSeconds(60), retryAfter);
    }

    [Fact]
    public async Task A_user_holds_at_most_the_configured_number_of_connections()
    {
        var carol = TestApi.NewUser("carol");
        await using var first = await EventClient.ConnectAsync(_server.BaseAddress, () => _server.TokenFor(carol));
        await using var second = await EventClient.ConnectAsync(_server.BaseAddress, () => _server.TokenFor(carol));
        var closed = new TaskCompletionSource();
        var third = new HubConnectionBuilder()
            .WithUrl(new Uri(_server.BaseAddress, "/api/messaging"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(_server.TokenFor(carol)))
            .Build();
        third.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        try
        {
            await third.StartAsync();
        }
        catch (Exception)
        {
            closed.TrySetResult();
        }

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotEqual(HubConnectionState.Connected, third.State);
        Assert.Equal(HubConnectionState.Connected, first.Connection.State);
        await third.DisposeAsync();

        await second.DisposeAsync();
        await using var again = await EventClient.ConnectAsync(_server.BaseAddress, () => _server.TokenFor(carol));
        Assert.Equal(HubConnectionState.Connected, again.Connection.State);
    }

    [Fact]
    public async Task Conversations_hold_at_most_the_configured_number_of_participants()
    {
        var owner = TestApi.NewUser("owner");
        var (status, body) = await _server.ClientFor(owner).PostJsonAsync("/api/messaging/conversations/", new { participantIds = new[] { "a", "b", "c" } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(body!["errors"]!["participantIds"]);

        var id = (await _server.ClientFor(owner).CreateGroupAsync("a", "b")).Id();
        var (added, _) = await _server.ClientFor(owner).PostJsonAsync($"/api/messaging/conversations/{id}/add_participant/", new { userId = "c" });
        Assert.Equal(HttpStatusCode.BadRequest, added);
    }
}
