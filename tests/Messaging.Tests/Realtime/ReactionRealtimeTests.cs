using System.Text.Json;
using Messaging.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Messaging.Tests.Realtime;

[Collection(ServerCollection.Name)]
public sealed class ReactionRealtimeTests(TestServer server)
{
    private Task<EventClient> ConnectAsync(string userId) => EventClient.ConnectAsync(server.BaseAddress, () => server.TokenFor(userId));

    [Fact]
    public async Task The_other_participant_hears_reaction_added_and_removed_and_an_outsider_hears_nothing()
    {
        var (alice, bob, eve) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"), TestApi.NewUser("eve"));
        var conversation = (await server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        var message = (await server.ClientFor(alice).SendMessageAsync(conversation, "hi")).Id();
        await using var bobClient = await ConnectAsync(bob);
        await using var eveClient = await ConnectAsync(eve);

        await server.ClientFor(alice).SendAsync(HttpMethod.Put, $"/api/messaging/messages/{message}/reactions/{Uri.EscapeDataString("👍🏽")}/");
        var added = await bobClient.WaitForAsync("reaction.added", p => p.GetProperty("messageId").GetString() == message);
        await server.ClientFor(alice).SendAsync(HttpMethod.Put, $"/api/messaging/messages/{message}/reactions/{Uri.EscapeDataString("👍🏽")}/");
        await server.ClientFor(alice).SendAsync(HttpMethod.Delete, $"/api/messaging/messages/{message}/reactions/{Uri.EscapeDataString("👍🏽")}/");
        var removed = await bobClient.WaitForAsync("reaction.removed", p => p.GetProperty("messageId").GetString() == message);
        await server.ClientFor(alice).SendAsync(HttpMethod.Delete, $"/api/messaging/messages/{message}/reactions/{Uri.EscapeDataString("👍🏽")}/");

        Assert.Equal(conversation, added.GetProperty("conversationId").GetString());
        Assert.Equal(alice, added.GetProperty("userId").GetString());
        Assert.Equal("👍🏽", added.GetProperty("reaction").GetString());
        Assert.Equal(1, added.GetProperty("count").GetInt32());
        Assert.Equal(0, removed.GetProperty("count").GetInt32());
        // The repeated add and the second remove changed nothing, so they announced nothing.
        await bobClient.AssertNoneAsync("reaction.added", p => p.GetProperty("count").GetInt32() != 1);
        Assert.Single(bobClient.Received, e => e.Name == "reaction.added");
        Assert.Single(bobClient.Received, e => e.Name == "reaction.removed");
        Assert.DoesNotContain(eveClient.Received, e => e.Name.StartsWith("reaction.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Hub_methods_react_and_answer_the_message_with_the_callers_own_and_events_never_carry_my_reactions()
    {
        var (alice, bob, eve) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"), TestApi.NewUser("eve"));
        var conversation = (await server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        var message = (await server.ClientFor(alice).SendMessageAsync(conversation, "hi")).Id();
        await using var aliceClient = await ConnectAsync(alice);
        await using var bobClient = await ConnectAsync(bob);
        await using var eveClient = await ConnectAsync(eve);

        var later = (await server.ClientFor(alice).SendMessageAsync(conversation, "later")).Id();
        var created = await bobClient.WaitForAsync("message.created", p => p.GetProperty("id").GetString() == later);
        var answered = await bobClient.Connection.InvokeAsync<JsonElement>("reaction.add", new { messageId = message, reaction = "🎉" });
        var heard = await aliceClient.WaitForAsync("reaction.added", p => p.GetProperty("messageId").GetString() == message);
        await server.ClientFor(alice).SendAsync(HttpMethod.Patch, $"/api/messaging/messages/{message}/", new { text = "hi!" });
        var updated = await bobClient.WaitForAsync("message.updated", p => p.GetProperty("id").GetString() == message);
        var removed = await bobClient.Connection.InvokeAsync<JsonElement>("reaction.remove", new { messageId = message, reaction = "🎉" });

        Assert.Equal(["🎉"], answered.GetProperty("myReactions").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(bob, heard.GetProperty("userId").GetString());
        Assert.Equal("🎉", updated.GetProperty("reactions")[0].GetProperty("reaction").GetString());
        Assert.False(updated.TryGetProperty("myReactions", out _));
        Assert.False(created.TryGetProperty("myReactions", out _));
        Assert.Empty(created.GetProperty("reactions").EnumerateArray());
        Assert.Empty(removed.GetProperty("myReactions").EnumerateArray());

        var outsider = await Assert.ThrowsAsync<HubException>(() => eveClient.Connection.InvokeAsync<JsonElement>("reaction.add", new { messageId = message, reaction = "🎉" }));
        Assert.Contains("Message was not found", outsider.Message, StringComparison.Ordinal);
        var invalid = await Assert.ThrowsAsync<HubException>(() => bobClient.Connection.InvokeAsync<JsonElement>("reaction.add", new { messageId = message, reaction = "abc def" }));
        Assert.Contains("reaction", invalid.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<HubException>(() => bobClient.Connection.InvokeAsync<JsonElement>("reaction.add", new { messageId = message }));
        Assert.Contains("reaction", missing.Message, StringComparison.Ordinal);
        await eveClient.AssertNoneAsync("reaction.added");
    }
}
