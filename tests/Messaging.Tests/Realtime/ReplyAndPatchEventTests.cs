using System.Text.Json;
using Messaging.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;

namespace Messaging.Tests.Realtime;

/// <summary>Issue 16 on the standalone hub: PATCH of a conversation and a reply sent through the hub reach the participants.</summary>
[Collection(ServerCollection.Name)]
public sealed class ReplyAndPatchEventTests(TestServer server)
{
    private Task<EventClient> ConnectAsync(string userId) => EventClient.ConnectAsync(server.BaseAddress, () => server.TokenFor(userId));

    [Fact]
    public async Task Patch_of_a_conversation_reaches_every_member_as_conversation_updated_with_its_metadata()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var id = (await server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        await using var bobClient = await ConnectAsync(bob);
        await using var aliceClient = await ConnectAsync(alice);

        await server.ClientFor(alice).SendAsync(HttpMethod.Patch, $"/api/messaging/conversations/{id}/", new { metadata = new Dictionary<string, string> { ["status"] = "done" } });

        foreach (var client in new[] { bobClient, aliceClient })
        {
            var updated = await client.WaitForAsync("conversation.updated", p => p.GetProperty("id").GetString() == id);
            Assert.Equal("done", updated.GetProperty("metadata").GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Message_send_on_the_hub_takes_a_reply_target_mentions_and_metadata()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var id = (await server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        var parent = await server.ClientFor(bob).SendMessageAsync(id, "question?");
        await using var aliceClient = await ConnectAsync(alice);
        await using var bobClient = await ConnectAsync(bob);

        var sent = await aliceClient.Connection.InvokeAsync<JsonElement>(
            "message.send",
            new { conversationId = id, text = "answer", replyToId = parent.Id(), mentions = new[] { bob }, metadata = new Dictionary<string, string> { ["k"] = "v" } });
        var created = await bobClient.WaitForAsync("message.created", p => p.GetProperty("id").GetString() == sent.GetProperty("id").GetString());

        Assert.Equal(parent.Id(), created.GetProperty("replyTo").GetProperty("id").GetString());
        Assert.Equal("question?", created.GetProperty("replyTo").GetProperty("text").GetString());
        Assert.Equal(bob, created.GetProperty("mentions")[0].GetString());
        Assert.Equal("v", sent.GetProperty("metadata").GetProperty("k").GetString());
        var refused = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(
            () => aliceClient.Connection.InvokeAsync<JsonElement>("message.send", new { conversationId = id, text = "x", mentions = new[] { "stranger" } }));
        Assert.Contains("mentions", refused.Message, StringComparison.Ordinal);
    }
}
