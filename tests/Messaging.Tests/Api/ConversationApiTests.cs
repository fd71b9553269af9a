using System.Net;
using System.Text.Json.Nodes;
using Messaging.Tests.Support;

namespace Messaging.Tests.Api;

[Collection(ServerCollection.Name)]
public sealed class ConversationApiTests(TestServer server)
{
    [Fact]
    public async Task Creating_a_group_makes_the_caller_owner_and_others_members()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var (status, body) = await server.ClientFor(alice).PostJsonAsync("/api/messaging/conversations/", new { title = "  Launch  ", participantIds = new[] { bob, bob } });

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("group", body.Str("type"));
        Assert.Equal("Launch", body.Str("title"));
        var participants = body!["participants"]!.AsArray();
        Assert.Equal(2, participants.Count);
        Assert.Equal("owner", participants.Single(p => p.Str("userId") == alice).Str("role"));
        Assert.Equal("member", participants.Single(p => p.Str("userId") == bob).Str("role"));
        Assert.EndsWith("Z", body.Str("createdAt"), StringComparison.Ordinal);
        Assert.Equal(0, body!["unreadCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task Listing_shows_most_recent_activity_first_and_pages_with_next_link()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var client = server.ClientFor(alice);
        // Activity is kept to the millisecond; the pauses keep the four steps in distinct milliseconds.
        var first = await client.CreateGroupAsync(bob);
        await Task.Delay(5);
        var second = await client.CreateGroupAsync(bob);
        await Task.Delay(5);
        var third = await client.CreateGroupAsync(bob);
        await Task.Delay(5);
        await client.SendMessageAsync(first.Id(), "bump");

        var (status, page) = await client.GetJsonAsync("/api/messaging/conversations/?limit=2");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([first.Id(), third.Id()], page!["value"]!.AsArray().Select(c => c.Id()));
        var next = page.Str("nextLink");
        Assert.StartsWith("/api/messaging/conversations", next, StringComparison.Ordinal);

        var (_, rest) = await client.GetJsonAsync(next);
        Assert.Equal([second.Id()], rest!["value"]!.AsArray().Select(c => c.Id()));
        Assert.Null(rest["nextLink"]);
    }

    [Fact]
    public async Task Non_participant_gets_404_on_every_conversation_route()
    {
        var (alice, bob, eve) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"), TestApi.NewUser("eve"));
        var conversation = await server.ClientFor(alice).CreateGroupAsync(bob);
        var id = conversation.Id();
        var intruder = server.ClientFor(eve);

        Assert.Equal(HttpStatusCode.NotFound, (await intruder.GetJsonAsync($"/api/messaging/conversations/{id}/")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await intruder.GetJsonAsync($"/api/messaging/conversations/{id}/messages/")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await intruder.GetJsonAsync($"/api/messaging/conversations/{id}/participants/")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await intruder.PostJsonAsync($"/api/messaging/conversations/{id}/add_participant/", new { userId = eve })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await intruder.PostJsonAsync($"/api/messaging/conversations/{id}/remove_participant/", new { userId = bob })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await intruder.PostJsonAsync($"/api/messaging/conversations/{id}/update_title/", new { title = "mine" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await intruder.SendAsync(HttpMethod.Delete, $"/api/messaging/conversations/{id}/")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await intruder.PostJsonAsync("/api/messaging/messages/", new { conversationId = id, text = "hi" })).Status);

        var (_, unchanged) = await server.ClientFor(alice).GetJsonAsync($"/api/messaging/conversations/{id}/");
        Assert.Equal("Team", unchanged.Str("title"));
        Assert.Equal(2, unchanged!["participants"]!.AsArray().Count);
    }

    [Fact]
    public async Task Direct_conversation_is_created_once_then_found_from_either_side()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var created = await server.ClientFor(alice).PostJsonAsync("/api/messaging/conversations/direct/", new { userId = bob });
        var again = await server.ClientFor(bob).PostJsonAsync("/api/messaging/conversations/direct/", new { userId = alice });

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(created.Body!.Id(), again.Body!.Id());
        Assert.Equal("direct", created.Body.Str("type"));
    }

    [Fact]
    public async Task Concurrent_direct_calls_for_the_same_pair_yield_one_conversation()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var calls = Enumerable.Range(0, 12).Select(i =>
            server.ClientFor(i % 2 == 0 ? alice : bob).PostJsonAsync("/api/messaging/conversations/direct/", new { userId = i % 2 == 0 ? bob : alice }));
        var results = await Task.WhenAll(calls);

        Assert.Single(results.Select(r => r.Body!.Id()).Distinct());
        Assert.Single(results, r => r.Status == HttpStatusCode.Created);
    }

    [Fact]
    public async Task Direct_conversation_with_oneself_is_400_and_participants_cannot_change()
    {
        var (alice, bob, carol) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"), TestApi.NewUser("carol"));
        var client = server.ClientFor(alice);
        var self = await client.PostJsonAsync("/api/messaging/conversations/direct/", new { userId = alice });
        Assert.Equal(HttpStatusCode.BadRequest, self.Status);
        Assert.NotNull(self.Body!["errors"]!["userId"]);

        var direct = (await client.PostJsonAsync("/api/messaging/conversations/direct/", new { userId = bob })).Body!;
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostJsonAsync($"/api/messaging/conversations/{direct.Id()}/add_participant/", new { userId = carol })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostJsonAsync($"/api/messaging/conversations/{direct.Id()}/remove_participant/", new { userId = bob })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostJsonAsync($"/api/messaging/conversations/{direct.Id()}/update_title/", new { title = "x" })).Status);
    }

    [Fact]
    public async Task Task_conversation_is_one_per_task_and_403_for_outsiders()
    {
        var (alice, bob, eve) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"), TestApi.NewUser("eve"));
        var taskId = $"task-{Guid.NewGuid():N}";
        var created = await server.ClientFor(alice).PostJsonAsync("/api/messaging/conversations/task/", new { taskId, title = "Fix it", participantIds = new[] { bob } });
        var found = await server.ClientFor(bob).PostJsonAsync("/api/messaging/conversations/task/", new { taskId });
        var outsider = await server.ClientFor(eve).PostJsonAsync("/api/messaging/conversations/task/", new { taskId });

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("task", created.Body.Str("type"));
        Assert.Equal(taskId, created.Body.Str("taskId"));
        Assert.Equal(HttpStatusCode.OK, found.Status);
        Assert.Equal(created.Body!.Id(), found.Body!.Id());
        Assert.Equal(HttpStatusCode.Forbidden, outsider.Status);
    }

    [Fact]
    public async Task Members_add_anyone_but_remove_only_themselves_and_last_owner_hands_over()
    {
        var (alice, bob, carol, dave) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"), TestApi.NewUser("carol"), TestApi.NewUser("dave"));
        var id = (await server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        var asBob = server.ClientFor(bob);

        var added = await asBob.PostJsonAsync($"/api/messaging/conversations/{id}/add_participant/", new { userId = carol });
        Assert.Equal(HttpStatusCode.OK, added.Status);
        Assert.Equal(3, added.Body!["participants"]!.AsArray().Count);

        Assert.Equal(HttpStatusCode.Forbidden, (await asBob.PostJsonAsync($"/api/messaging/conversations/{id}/remove_participant/", new { userId = carol })).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.ClientFor(carol).PostJsonAsync($"/api/messaging/conversations/{id}/remove_participant/", new { userId = carol })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.ClientFor(carol).GetJsonAsync($"/api/messaging/conversations/{id}/")).Status);

        await asBob.PostJsonAsync($"/api/messaging/conversations/{id}/add_participant/", new { userId = dave });
        var left = await server.ClientFor(alice).PostJsonAsync($"/api/messaging/conversations/{id}/remove_participant/", new { userId = alice });
        Assert.Equal(HttpStatusCode.OK, left.Status);
        var (_, after) = await asBob.GetJsonAsync($"/api/messaging/conversations/{id}/");
        Assert.Equal("owner", after!["participants"]!.AsArray().Single(p => p.Str("userId") == bob).Str("role"));
        Assert.Equal("member", after["participants"]!.AsArray().Single(p => p.Str("userId") == dave).Str("role"));
    }

    [Fact]
    public async Task Title_is_trimmed_and_must_be_1_to_200_characters()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var id = (await server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        var asBob = server.ClientFor(bob);

        var renamed = await asBob.PostJsonAsync($"/api/messaging/conversations/{id}/update_title/", new { title = "  Roadmap " });
        Assert.Equal(HttpStatusCode.OK, renamed.Status);
        Assert.Equal("Roadmap", renamed.Body.Str("title"));

        Assert.Equal(HttpStatusCode.BadRequest, (await asBob.PostJsonAsync($"/api/messaging/conversations/{id}/update_title/", new { title = "   " })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await asBob.PostJsonAsync($"/api/messaging/conversations/{id}/update_title/", new { title = new string('x', 201) })).Status);
        var (_, unchanged) = await asBob.GetJsonAsync($"/api/messaging/conversations/{id}/");
        Assert.Equal("Roadmap", unchanged.Str("title"));
    }

    [Fact]
    public async Task Only_owners_delete_a_conversation_and_then_it_is_gone_for_everyone()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var id = (await server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        await server.ClientFor(bob).SendMessageAsync(id, "hello");

        Assert.Equal(HttpStatusCode.Forbidden, (await server.ClientFor(bob).SendAsync(HttpMethod.Delete, $"/api/messaging/conversations/{id}/")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await server.ClientFor(alice).SendAsync(HttpMethod.Delete, $"/api/messaging/conversations/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.ClientFor(bob).GetJsonAsync($"/api/messaging/conversations/{id}/")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.ClientFor(alice).GetJsonAsync($"/api/messaging/conversations/{id}/messages/")).Status);
    }

    [Theory]
    [InlineData("{\"participantIds\": \"bob\"}", "participantIds")]
    [InlineData("{\"title\": \"x\"}", "participantIds")]
    [InlineData("{\"participantIds\": []}", "participantIds")]
    [InlineData("{\"participantIds\": [\"\"]}", "participantIds")]
    [InlineData("{\"participantIds\": [\"bob\"], \"title\": 42}", "title")]
    [InlineData("{\"participantIds\": [\"bob\"", "participantIds")]
    [InlineData("[1,2,3]", "body")]
    public async Task Malformed_create_is_400_naming_the_field_and_creates_nothing(string json, string field)
    {
        var alice = TestApi.NewUser("alice");
        var client = server.ClientFor(alice);
        var (status, body) = await client.PostJsonAsync("/api/messaging/conversations/", json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(body!["errors"]![field]);
        var (_, list) = await client.GetJsonAsync("/api/messaging/conversations/");
        Assert.Empty(list!["value"]!.AsArray());
    }

    [Fact]
    public async Task Wrong_media_type_is_415_and_bad_limit_is_400()
    {
        var client = server.ClientFor(TestApi.NewUser());
        using var form = new StringContent("participantIds=bob", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await client.PostAsync("/api/messaging/conversations/", form);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetJsonAsync("/api/messaging/conversations/?limit=0")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetJsonAsync("/api/messaging/conversations/?limit=101")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetJsonAsync("/api/messaging/conversations/?continuationToken=%%%")).Status);
    }

    [Fact]
    public async Task Cors_preflight_is_answered_for_allowed_origins_only()
    {
        var client = server.ClientFor(null);
        using var allowed = new HttpRequestMessage(HttpMethod.Options, "/api/messaging/conversations/");
        allowed.Headers.Add("Origin", "https://app.example");
        allowed.Headers.Add("Access-Control-Request-Method", "POST");
        allowed.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        using var yes = await client.SendAsync(allowed);
        Assert.Equal(HttpStatusCode.NoContent, yes.StatusCode);
        Assert.Equal("https://app.example", yes.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", yes.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);

        using var denied = new HttpRequestMessage(HttpMethod.Options, "/api/messaging/conversations/");
        denied.Headers.Add("Origin", "https://evil.example");
        denied.Headers.Add("Access-Control-Request-Method", "POST");
        using var no = await client.SendAsync(denied);
        Assert.False(no.Headers.Contains("Access-Control-Allow-Origin"));
    }

    internal static JsonArray Values(JsonNode? page) => page!["value"]!.AsArray();
}
