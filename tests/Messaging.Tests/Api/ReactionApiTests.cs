using System.Net;
using System.Text.Json.Nodes;
using Messaging.Tests.Support;

namespace Messaging.Tests.Api;

[Collection(ServerCollection.Name)]
public sealed class ReactionApiTests(TestServer server)
{
    private async Task<(string Alice, string Bob, string ConversationId, string MessageId)> MessageAsync()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var conversation = (await server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        var message = await server.ClientFor(alice).SendMessageAsync(conversation, "react to me");
        return (alice, bob, conversation, message.Id());
    }

    private static string PathOf(string messageId, string reaction) => $"/api/messaging/messages/{messageId}/reactions/{Uri.EscapeDataString(reaction)}/";

    private Task<(HttpStatusCode Status, JsonNode? Body)> PutAsync(string user, string messageId, string reaction) =>
        server.ClientFor(user).SendAsync(HttpMethod.Put, PathOf(messageId, reaction));

    private Task<(HttpStatusCode Status, JsonNode? Body)> DeleteAsync(string user, string messageId, string reaction) =>
        server.ClientFor(user).SendAsync(HttpMethod.Delete, PathOf(messageId, reaction));

    private static IEnumerable<(string, int)> Reactions(JsonNode? message) =>
        message!["reactions"]!.AsArray().Select(r => (r!["reaction"]!.GetValue<string>(), r["count"]!.GetValue<int>()));

    private static IEnumerable<string> Mine(JsonNode? message) => message!["myReactions"]!.AsArray().Select(r => r!.GetValue<string>());

    [Fact]
    public async Task Reacting_answers_the_message_with_counts_and_the_callers_own_and_repeating_it_changes_nothing()
    {
        var (alice, bob, _, messageId) = await MessageAsync();

        var first = await PutAsync(alice, messageId, "👍🏽");
        var again = await PutAsync(alice, messageId, "👍🏽");
        var bobs = await PutAsync(bob, messageId, "+1");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal([("👍🏽", 1)], Reactions(first.Body));
        Assert.Equal(["👍🏽"], Mine(first.Body));
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal([("👍🏽", 1)], Reactions(again.Body));
        Assert.Equal([("👍🏽", 1), ("+1", 1)], Reactions(bobs.Body));
        Assert.Equal(["+1"], Mine(bobs.Body));
    }

    [Theory]
    [InlineData("%F0%9F%91%8D%F0%9F%8F%BD", "👍🏽")]
    [InlineData("%F0%9F%91%A8%E2%80%8D%F0%9F%91%A9%E2%80%8D%F0%9F%91%A7%E2%80%8D%F0%9F%91%A6", "👨‍👩‍👧‍👦")]
    [InlineData("party_parrot", "party_parrot")]
    [InlineData("%2B1", "+1")]
    public async Task A_percent_encoded_reaction_in_the_route_is_decoded(string segment, string reaction)
    {
        var (alice, _, _, messageId) = await MessageAsync();

        var (status, body) = await server.ClientFor(alice).SendAsync(HttpMethod.Put, $"/api/messaging/messages/{messageId}/reactions/{segment}/");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([(reaction, 1)], Reactions(body));
        var (_, fetched) = await server.ClientFor(alice).GetJsonAsync($"/api/messaging/messages/{messageId}/");
        Assert.Equal([reaction], Mine(fetched));
    }

    [Theory]
    [InlineData("👍👍")]
    [InlineData("abc def")]
    [InlineData("Thumbs")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    public async Task A_reaction_that_is_not_one_emoji_or_a_name_is_400_and_stores_nothing(string reaction)
    {
        var (alice, _, _, messageId) = await MessageAsync();

        var (status, body) = await PutAsync(alice, messageId, reaction);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(body!["errors"]!["reaction"]);
        var (_, fetched) = await server.ClientFor(alice).GetJsonAsync($"/api/messaging/messages/{messageId}/");
        Assert.Empty(fetched!["reactions"]!.AsArray());
    }

    [Fact]
    public async Task Removing_takes_away_only_the_callers_own_and_is_idempotent()
    {
        var (alice, bob, _, messageId) = await MessageAsync();
        await PutAsync(alice, messageId, "🎉");
        await PutAsync(bob, messageId, "🎉");

        var removed = await DeleteAsync(alice, messageId, "🎉");
        var again = await DeleteAsync(alice, messageId, "🎉");

        Assert.Equal(HttpStatusCode.OK, removed.Status);
        Assert.Equal([("🎉", 1)], Reactions(removed.Body));
        Assert.Empty(Mine(removed.Body));
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal([("🎉", 1)], Reactions(again.Body));
        var (_, forBob) = await server.ClientFor(bob).GetJsonAsync($"/api/messaging/messages/{messageId}/");
        Assert.Equal(["🎉"], Mine(forBob));
    }

    [Fact]
    public async Task The_21st_distinct_reaction_is_409()
    {
        var (alice, bob, _, messageId) = await MessageAsync();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await PutAsync(alice, messageId, $"r{i}")).Status);
        }

        var (status, body) = await PutAsync(bob, messageId, "one_more");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("20", body.Str("detail"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(bob, messageId, "r3")).Status);
    }

    [Fact]
    public async Task A_deleted_message_takes_no_reaction_409_and_has_lost_its_reactions()
    {
        var (alice, bob, _, messageId) = await MessageAsync();
        await PutAsync(bob, messageId, "👍");
        await server.ClientFor(alice).SendAsync(HttpMethod.Delete, $"/api/messaging/messages/{messageId}/");

        var (status, _) = await PutAsync(bob, messageId, "🎉");
        var removed = await DeleteAsync(bob, messageId, "👍");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal(HttpStatusCode.OK, removed.Status);
        Assert.Empty(removed.Body!["reactions"]!.AsArray());
        Assert.Empty(Mine(removed.Body));
    }

    [Fact]
    public async Task History_shows_each_caller_their_own_reactions()
    {
        var (alice, bob, conversation, first) = await MessageAsync();
        var second = (await server.ClientFor(bob).SendMessageAsync(conversation, "second")).Id();
        await PutAsync(alice, first, "👍");
        await PutAsync(bob, first, "👍");
        await PutAsync(bob, second, "eyes");

        var (_, forAlice) = await server.ClientFor(alice).GetJsonAsync($"/api/messaging/conversations/{conversation}/messages/");
        var (_, forBob) = await server.ClientFor(bob).GetJsonAsync($"/api/messaging/conversations/{conversation}/messages/");

        var aliceView = forAlice!["value"]!.AsArray().ToDictionary(m => m.Id());
        var bobView = forBob!["value"]!.AsArray().ToDictionary(m => m.Id());
        Assert.Equal([("👍", 2)], Reactions(aliceView[first]));
        Assert.Equal(["👍"], Mine(aliceView[first]));
        Assert.Empty(Mine(aliceView[second]));
        Assert.Equal(["eyes"], Mine(bobView[second]));
        Assert.Equal([("eyes", 1)], Reactions(aliceView[second]));
    }
}
