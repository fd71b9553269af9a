using System.Net;
using System.Text.Json.Nodes;
using Messaging.Tests.Support;

namespace Messaging.Tests.Api;

/// <summary>Replies, mentions, metadata and PATCH of messages and conversations through the API (issue 16).</summary>
[Collection(ServerCollection.Name)]
public sealed class ReplyMentionMetadataApiTests(TestServer server)
{
    private const string Messages = "/api/messaging/messages/";

    private async Task<(string Alice, string Bob, string ConversationId)> GroupAsync()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var conversation = await server.ClientFor(alice).CreateGroupAsync(bob);
        return (alice, bob, conversation.Id());
    }

    [Fact]
    public async Task An_edit_by_another_user_or_of_a_tombstone_is_refused_before_its_mentions_are_checked()
    {
        var (alice, bob, id) = await GroupAsync();
        var sent = await server.ClientFor(alice).SendMessageAsync(id, "hello");
        var gone = await server.ClientFor(alice).SendMessageAsync(id, "bye");
        await server.ClientFor(alice).SendAsync(HttpMethod.Delete, $"{Messages}{gone.Id()}/");

        var notTheSender = await server.ClientFor(bob).SendAsync(HttpMethod.Patch, $"{Messages}{sent.Id()}/", new { mentions = new[] { "nobody-here" } });
        var tombstone = await server.ClientFor(alice).SendAsync(HttpMethod.Patch, $"{Messages}{gone.Id()}/", new { mentions = new[] { "nobody-here" } });

        Assert.Equal(HttpStatusCode.Forbidden, notTheSender.Status);
        Assert.Equal(HttpStatusCode.Conflict, tombstone.Status);
    }

    [Fact]
    public async Task A_reply_shows_its_parent_cut_to_200_characters_and_the_parent_counts_it()
    {
        var (alice, bob, id) = await GroupAsync();
        var parent = await server.ClientFor(alice).SendMessageAsync(id, new string('x', 150) + new string('y', 100));

        var (status, reply) = await server.ClientFor(bob).PostJsonAsync(Messages, new { conversationId = id, text = "answer", replyToId = parent.Id() });

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(parent.Id(), reply!["replyTo"]!.Id());
        Assert.Equal(alice, reply["replyTo"].Str("senderId"));
        Assert.Equal(new string('x', 150) + new string('y', 50), reply["replyTo"].Str("text"));
        var (_, parentNow) = await server.ClientFor(bob).GetJsonAsync($"{Messages}{parent.Id()}/");
        Assert.Equal(1, parentNow!["replyCount"]!.GetValue<int>());
        Assert.Null(parentNow["replyTo"]);
    }

    [Fact]
    public async Task Replies_list_the_live_answers_oldest_first_in_pages()
    {
        var (alice, bob, id) = await GroupAsync();
        var parent = await server.ClientFor(alice).SendMessageAsync(id, "question?");
        var answers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (_, reply) = await server.ClientFor(bob).PostJsonAsync(Messages, new { conversationId = id, text = $"answer {i}", replyToId = parent.Id() });
            answers.Add(reply.Id());
        }

        Assert.Equal(HttpStatusCode.NoContent, (await server.ClientFor(bob).SendAsync(HttpMethod.Delete, $"{Messages}{answers[1]}/")).Status);
        var (status, first) = await server.ClientFor(alice).GetJsonAsync($"{Messages}{parent.Id()}/replies/?limit=1");
        var (_, second) = await server.ClientFor(alice).GetJsonAsync(first!["nextLink"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["answer 0"], first["value"]!.AsArray().Select(m => m.Str("text")));
        Assert.Equal(["answer 2"], second!["value"]!.AsArray().Select(m => m.Str("text")));
        var (_, parentNow) = await server.ClientFor(alice).GetJsonAsync($"{Messages}{parent.Id()}/");
        Assert.Equal(2, parentNow!["replyCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task Replies_carry_the_callers_own_reactions_like_every_rest_answer()
    {
        var (alice, bob, id) = await GroupAsync();
        var parent = await server.ClientFor(alice).SendMessageAsync(id, "question?");
        var (_, reply) = await server.ClientFor(bob).PostJsonAsync(Messages, new { conversationId = id, text = "answer", replyToId = parent.Id() });
        await server.ClientFor(alice).SendAsync(HttpMethod.Put, $"{Messages}{reply.Id()}/reactions/%F0%9F%91%8D/");

        var (_, asAlice) = await server.ClientFor(alice).GetJsonAsync($"{Messages}{parent.Id()}/replies/");
        var (_, asBob) = await server.ClientFor(bob).GetJsonAsync($"{Messages}{parent.Id()}/replies/");

        Assert.Equal(["👍"], asAlice!["value"]![0]!["myReactions"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Empty(asBob!["value"]![0]!["myReactions"]!.AsArray());
        Assert.Equal(1, asBob["value"]![0]!["reactions"]![0]!["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_reply_to_a_deleted_message_is_400_and_a_deleted_parent_shows_an_empty_preview()
    {
        var (alice, bob, id) = await GroupAsync();
        var parent = await server.ClientFor(alice).SendMessageAsync(id, "question?");
        var (_, reply) = await server.ClientFor(bob).PostJsonAsync(Messages, new { conversationId = id, text = "answer", replyToId = parent.Id() });
        await server.ClientFor(alice).SendAsync(HttpMethod.Delete, $"{Messages}{parent.Id()}/");

        var (status, problem) = await server.ClientFor(bob).PostJsonAsync(Messages, new { conversationId = id, text = "late", replyToId = parent.Id() });
        var (_, replyNow) = await server.ClientFor(bob).GetJsonAsync($"{Messages}{reply.Id()}/");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(problem!["errors"]!["replyToId"]);
        Assert.Equal("", replyNow!["replyTo"].Str("text"));
        Assert.NotNull(replyNow["replyTo"]!["deletedAt"]);
    }

    [Fact]
    public async Task Mentions_are_stored_and_counted_as_unread_mentions_of_the_reader()
    {
        var (alice, bob, id) = await GroupAsync();
        var (status, sent) = await server.ClientFor(alice).PostJsonAsync(Messages, new { conversationId = id, text = "@bob look", mentions = new[] { bob } });
        await server.ClientFor(alice).SendMessageAsync(id, "no mention");

        var (_, unread) = await server.ClientFor(bob).GetJsonAsync($"{Messages}unread_count/");

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal([bob], sent!["mentions"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal(2, unread!["total"]!.GetValue<int>());
        Assert.Equal(1, unread["mentions"]!.GetValue<int>());
        var conversation = unread["conversations"]!.AsArray().Single(c => c.Str("conversationId") == id);
        Assert.Equal(1, conversation!["mentionCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task Patch_of_a_message_changes_mentions_and_metadata_and_keeps_the_text_it_was_not_given()
    {
        var (alice, bob, id) = await GroupAsync();
        var sent = await server.ClientFor(alice).SendMessageAsync(id, "hello");

        var (status, edited) = await server.ClientFor(alice).SendAsync(
            HttpMethod.Patch, $"{Messages}{sent.Id()}/", new { mentions = new[] { bob }, metadata = new Dictionary<string, string> { ["tag"] = "v1" } });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("hello", edited.Str("text"));
        Assert.NotNull(edited!["editedAt"]);
        Assert.Equal([bob], edited["mentions"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal("v1", edited["metadata"].Str("tag"));
    }

    [Fact]
    public async Task Patch_of_a_message_with_nothing_to_change_is_400_and_by_another_user_is_403()
    {
        var (alice, bob, id) = await GroupAsync();
        var sent = await server.ClientFor(alice).SendMessageAsync(id, "hello");

        Assert.Equal(HttpStatusCode.BadRequest, (await server.ClientFor(alice).SendAsync(HttpMethod.Patch, $"{Messages}{sent.Id()}/", "{}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.ClientFor(bob).SendAsync(HttpMethod.Patch, $"{Messages}{sent.Id()}/", new { text = "mine" })).Status);
    }

    [Fact]
    public async Task Metadata_given_at_creation_and_by_patch_is_returned_as_stored()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var (status, created) = await server.ClientFor(alice).PostJsonAsync(
            "/api/messaging/conversations/", new { participantIds = new[] { bob }, metadata = new Dictionary<string, string> { ["taskStatus"] = "open" } });
        var path = $"/api/messaging/conversations/{created.Id()}/";

        var (patched, body) = await server.ClientFor(alice).SendAsync(
            HttpMethod.Patch, path, new { title = "Renamed", metadata = new Dictionary<string, string> { ["deepLink"] = "app://x" } });

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("open", created!["metadata"].Str("taskStatus"));
        Assert.Equal(HttpStatusCode.OK, patched);
        Assert.Equal("Renamed", body.Str("title"));
        Assert.Equal(new JsonObject { ["deepLink"] = "app://x" }.ToJsonString(), body!["metadata"]!.ToJsonString());
        var (_, read) = await server.ClientFor(bob).GetJsonAsync(path);
        Assert.Equal("app://x", read!["metadata"].Str("deepLink"));
    }

    [Fact]
    public async Task Patch_of_a_group_is_for_owners_and_of_a_direct_conversation_for_either_member_without_a_title()
    {
        var (alice, bob, id) = await GroupAsync();
        var (directStatus, direct) = await server.ClientFor(alice).PostJsonAsync("/api/messaging/conversations/direct/", new { userId = bob });
        var directPath = $"/api/messaging/conversations/{direct.Id()}/";

        var member = await server.ClientFor(bob).SendAsync(HttpMethod.Patch, $"/api/messaging/conversations/{id}/", new { metadata = new Dictionary<string, string> { ["a"] = "b" } });
        var either = await server.ClientFor(bob).SendAsync(HttpMethod.Patch, directPath, new { metadata = new Dictionary<string, string> { ["a"] = "b" } });
        var title = await server.ClientFor(bob).SendAsync(HttpMethod.Patch, directPath, new { title = "Us" });
        var empty = await server.ClientFor(alice).SendAsync(HttpMethod.Patch, $"/api/messaging/conversations/{id}/", """{"unknown":1}""");

        Assert.Equal(HttpStatusCode.Created, directStatus);
        Assert.Equal(HttpStatusCode.Forbidden, member.Status);
        Assert.Equal(HttpStatusCode.OK, either.Status);
        Assert.Equal(HttpStatusCode.BadRequest, title.Status);
        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);
    }
}
