using System.Net;
using Messaging.Tests.Support;

namespace Messaging.Tests.Api;

[Collection(ServerCollection.Name)]
public sealed class MessageApiTests(TestServer server)
{
    private async Task<(string Alice, string Bob, string ConversationId)> GroupAsync()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var conversation = await server.ClientFor(alice).CreateGroupAsync(bob);
        return (alice, bob, conversation.Id());
    }

    [Fact]
    public async Task Sending_trims_text_and_assigns_gapless_sequences()
    {
        var (alice, bob, id) = await GroupAsync();
        var first = await server.ClientFor(alice).SendMessageAsync(id, "  hello  ");
        var second = await server.ClientFor(bob).SendMessageAsync(id, "hi");

        Assert.Equal("hello", first.Str("text"));
        Assert.Equal(1, first["sequence"]!.GetValue<long>());
        Assert.Equal(2, second["sequence"]!.GetValue<long>());
        Assert.Equal(alice, first.Str("senderId"));
        Assert.Null(first["deletedAt"]);
        Assert.Empty(first["attachments"]!.AsArray());
    }

    [Fact]
    public async Task Concurrent_senders_get_unique_gapless_sequences()
    {
        var (alice, bob, id) = await GroupAsync();
        var sends = Enumerable.Range(0, 40).Select(i => server.ClientFor(i % 2 == 0 ? alice : bob).PostJsonAsync("/api/messaging/messages/", new { conversationId = id, text = $"m{i}" }));
        var results = await Task.WhenAll(sends);

        Assert.All(results, r => Assert.Equal(HttpStatusCode.Created, r.Status));
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), results.Select(r => r.Body!["sequence"]!.GetValue<long>()).Order());
    }

    [Fact]
    public async Task Repeating_a_client_message_id_returns_the_original_with_200()
    {
        var (alice, _, id) = await GroupAsync();
        var client = server.ClientFor(alice);
        var first = await client.PostJsonAsync("/api/messaging/messages/", new { conversationId = id, text = "once", clientMessageId = "c-1" });
        var retries = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => client.PostJsonAsync("/api/messaging/messages/", new { conversationId = id, text = "once", clientMessageId = "c-1" })));

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.All(retries, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.All(retries, r => Assert.Equal(first.Body!.Id(), r.Body!.Id()));
        var (_, page) = await client.GetJsonAsync($"/api/messaging/conversations/{id}/messages/");
        Assert.Single(page!["value"]!.AsArray());
    }

    [Theory]
    [InlineData("   ")]
    [InlineData("")]
    public async Task Empty_text_without_attachments_is_400(string text)
    {
        var (alice, _, id) = await GroupAsync();
        var (status, body) = await server.ClientFor(alice).PostJsonAsync("/api/messaging/messages/", new { conversationId = id, text });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(body!["errors"]!["text"]);
    }

    [Fact]
    public async Task Text_over_5000_characters_is_400_and_nothing_is_stored()
    {
        var (alice, _, id) = await GroupAsync();
        var client = server.ClientFor(alice);
        Assert.Equal(HttpStatusCode.Created, (await client.PostJsonAsync("/api/messaging/messages/", new { conversationId = id, text = new string('a', 5000) })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostJsonAsync("/api/messaging/messages/", new { conversationId = id, text = new string('a', 5001) })).Status);
        var (_, page) = await client.GetJsonAsync($"/api/messaging/conversations/{id}/messages/");
        Assert.Single(page!["value"]!.AsArray());
    }

    [Fact]
    public async Task History_is_newest_first_and_keyset_paged_and_after_is_oldest_first()
    {
        var (alice, _, id) = await GroupAsync();
        var client = server.ClientFor(alice);
        for (var i = 1; i <= 5; i++)
        {
            await client.SendMessageAsync(id, $"m{i}");
        }

        var (_, page1) = await client.GetJsonAsync($"/api/messaging/conversations/{id}/messages/?limit=2");
        Assert.Equal(["m5", "m4"], page1!["value"]!.AsArray().Select(m => m.Str("text")));
        var (_, page2) = await client.GetJsonAsync(page1.Str("nextLink"));
        var (_, page3) = await client.GetJsonAsync(page2.Str("nextLink"));
        Assert.Equal(["m3", "m2"], page2!["value"]!.AsArray().Select(m => m.Str("text")));
        Assert.Equal(["m1"], page3!["value"]!.AsArray().Select(m => m.Str("text")));
        Assert.Null(page3["nextLink"]);

        var (_, after) = await client.GetJsonAsync($"/api/messaging/conversations/{id}/messages/?after=2&limit=2");
        Assert.Equal(["m3", "m4"], after!["value"]!.AsArray().Select(m => m.Str("text")));
        var (_, afterRest) = await client.GetJsonAsync(after.Str("nextLink"));
        Assert.Equal(["m5"], afterRest!["value"]!.AsArray().Select(m => m.Str("text")));

        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetJsonAsync($"/api/messaging/conversations/{id}/messages/?after=-1")).Status);
    }

    [Fact]
    public async Task Sender_edits_others_cannot_and_deleted_messages_are_409()
    {
        var (alice, bob, id) = await GroupAsync();
        var message = await server.ClientFor(bob).SendMessageAsync(id, "draft");
        var path = $"/api/messaging/messages/{message.Id()}/";

        var edited = await server.ClientFor(bob).SendAsync(HttpMethod.Patch, path, new { text = " final " });
        Assert.Equal(HttpStatusCode.OK, edited.Status);
        Assert.Equal("final", edited.Body.Str("text"));
        Assert.NotNull(edited.Body!["editedAt"]);

        Assert.Equal(HttpStatusCode.Forbidden, (await server.ClientFor(alice).SendAsync(HttpMethod.Patch, path, new { text = "hijack" })).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await server.ClientFor(bob).SendAsync(HttpMethod.Delete, path)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await server.ClientFor(bob).SendAsync(HttpMethod.Patch, path, new { text = "again" })).Status);
    }

    [Fact]
    public async Task Deleting_leaves_a_tombstone_and_owner_may_delete_others_messages()
    {
        var (alice, bob, id) = await GroupAsync();
        var bobs = await server.ClientFor(bob).SendMessageAsync(id, "oops");
        var alices = await server.ClientFor(alice).SendMessageAsync(id, "mine");

        Assert.Equal(HttpStatusCode.Forbidden, (await server.ClientFor(bob).SendAsync(HttpMethod.Delete, $"/api/messaging/messages/{alices.Id()}/delete/")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await server.ClientFor(alice).SendAsync(HttpMethod.Delete, $"/api/messaging/messages/{bobs.Id()}/delete/")).Status);

        var (_, tombstone) = await server.ClientFor(bob).GetJsonAsync($"/api/messaging/messages/{bobs.Id()}/");
        Assert.Equal("", tombstone.Str("text"));
        Assert.NotNull(tombstone!["deletedAt"]);
        Assert.Equal(1, tombstone["sequence"]!.GetValue<long>());
    }

    [Fact]
    public async Task Read_watermark_moves_forward_only_and_feeds_unread_counts_and_read_by()
    {
        var (alice, bob, id) = await GroupAsync();
        var m1 = await server.ClientFor(alice).SendMessageAsync(id, "one");
        var m2 = await server.ClientFor(alice).SendMessageAsync(id, "two");
        await server.ClientFor(alice).SendMessageAsync(id, "three");
        var asBob = server.ClientFor(bob);

        var (_, unread) = await asBob.GetJsonAsync("/api/messaging/messages/unread_count/");
        Assert.Equal(3, unread!["total"]!.GetValue<int>());
        var (_, aliceUnread) = await server.ClientFor(alice).GetJsonAsync("/api/messaging/messages/unread_count/");
        Assert.Equal(0, aliceUnread!["total"]!.GetValue<int>());

        var (status, marked) = await asBob.PostJsonAsync("/api/messaging/messages/mark_as_read/", new { messageIds = new[] { m1.Id(), m2.Id() } });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(m2.Id(), marked!["updated"]![0].Str("lastReadMessageId"));

        var (_, older) = await asBob.PostJsonAsync("/api/messaging/messages/mark_as_read/", new { messageIds = new[] { m1.Id() } });
        Assert.Equal(m2.Id(), older!["updated"]![0].Str("lastReadMessageId"));

        var (_, conversation) = await asBob.GetJsonAsync($"/api/messaging/conversations/{id}/");
        Assert.Equal(1, conversation!["unreadCount"]!.GetValue<int>());
        var (_, detail) = await asBob.GetJsonAsync($"/api/messaging/messages/{m2.Id()}/");
        Assert.Equal(bob, detail!["readBy"]![0].Str("userId"));

        await asBob.PostJsonAsync("/api/messaging/messages/mark_as_read/", new { conversationId = id });
        var (_, none) = await asBob.GetJsonAsync("/api/messaging/messages/unread_count/");
        Assert.Equal(0, none!["total"]!.GetValue<int>());
        Assert.Empty(none["conversations"]!.AsArray());
    }

    [Fact]
    public async Task Marking_unknown_or_foreign_messages_is_404_and_changes_nothing()
    {
        var (alice, bob, id) = await GroupAsync();
        var mine = await server.ClientFor(alice).SendMessageAsync(id, "one");
        var (eveOwner, eveFriend) = (TestApi.NewUser("eve"), TestApi.NewUser("mallory"));
        var foreignConversation = await server.ClientFor(eveOwner).CreateGroupAsync(eveFriend);
        var foreign = await server.ClientFor(eveOwner).SendMessageAsync(foreignConversation.Id(), "secret");

        var (status, _) = await server.ClientFor(bob).PostJsonAsync("/api/messaging/messages/mark_as_read/", new { messageIds = new[] { mine.Id(), foreign.Id() } });
        Assert.Equal(HttpStatusCode.NotFound, status);
        var (_, unread) = await server.ClientFor(bob).GetJsonAsync("/api/messaging/messages/unread_count/");
        Assert.Equal(1, unread!["total"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NotFound, (await server.ClientFor(bob).GetJsonAsync($"/api/messaging/messages/{foreign.Id()}/")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.ClientFor(bob).PostJsonAsync("/api/messaging/messages/mark_as_read/", new { })).Status);
    }
}
