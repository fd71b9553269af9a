using System.Net;
using System.Text.Json.Nodes;
using Messaging.Tests.Support;

namespace Messaging.Tests.Api;

/// <summary>Conversations of more than 20: a bounded resource with <c>participantCount</c>, and the participant list paged on its own.</summary>
[Collection(ServerCollection.Name)]
public sealed class LargeGroupApiTests(TestServer server)
{
    [Fact]
    public async Task A_large_group_lists_the_caller_then_the_owner_then_the_earliest_joiners_and_counts_everyone()
    {
        var (owner, founders, late) = await LargeGroupAsync(24, 5);
        var caller = late[3];

        var (status, body) = await server.ClientFor(caller).GetJsonAsync($"/api/messaging/conversations/{founders.ConversationId}/");
        Assert.Equal(HttpStatusCode.OK, status);

        Assert.Equal(30, body!["participantCount"]!.GetValue<int>());
        var listed = UserIds(body["participants"]!);
        Assert.Equal(20, listed.Count);
        Assert.Equal([caller, owner], listed.Take(2));
        Assert.Equal(founders.Ids.Order(StringComparer.Ordinal).Take(18), listed.Skip(2).Order(StringComparer.Ordinal));

        var (_, page) = await server.ClientFor(caller).GetJsonAsync("/api/messaging/conversations/");
        var inList = page!["value"]!.AsArray().Single(c => c.Id() == founders.ConversationId);
        Assert.Equal(30, inList!["participantCount"]!.GetValue<int>());
        Assert.Equal(listed, UserIds(inList["participants"]!));
    }

    [Fact]
    public async Task Participants_are_paged_earliest_joiner_first_by_following_next_link()
    {
        var (owner, founders, late) = await LargeGroupAsync(24, 5);
        var client = server.ClientFor(late[0]);

        var seen = new List<string>();
        var pages = 0;
        for (string? next = $"/api/messaging/conversations/{founders.ConversationId}/participants/?limit=7"; next is not null; pages++)
        {
            var (status, page) = await client.GetJsonAsync(next);
            Assert.Equal(HttpStatusCode.OK, status);
            seen.AddRange(UserIds(page!["value"]!));
            next = page["nextLink"]?.GetValue<string>();
        }

        Assert.Equal(5, pages);
        Assert.Equal([.. new[] { owner }.Concat(founders.Ids).Order(StringComparer.Ordinal), .. late], seen);
        var (_, whole) = await client.GetJsonAsync($"/api/messaging/conversations/{founders.ConversationId}/participants/");
        Assert.Equal(30, whole!["value"]!.AsArray().Count);
        Assert.Null(whole["nextLink"]);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("continuationToken=%25%25not-a-token", "continuationToken")]
    [InlineData("continuationToken=bm90LWEtdG9rZW4", "continuationToken")]
    public async Task A_bad_limit_or_token_is_a_problem_naming_the_field(string query, string field)
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var conversation = await server.ClientFor(alice).CreateGroupAsync(bob);

        var (status, problem) = await server.ClientFor(alice).GetJsonAsync($"/api/messaging/conversations/{conversation.Id()}/participants/?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(problem!["errors"]![field]);
    }

    [Fact]
    public async Task The_largest_page_is_500()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var conversation = await server.ClientFor(alice).CreateGroupAsync(bob);

        var (status, page) = await server.ClientFor(bob).GetJsonAsync($"/api/messaging/conversations/{conversation.Id()}/participants/?limit=500");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, page!["value"]!.AsArray().Count);
        Assert.All(page["value"]!.AsArray(), p => Assert.NotNull(p!["joinedAt"]));
    }

    private static List<string> UserIds(JsonNode participants) => [.. participants.AsArray().Select(p => p.Str("userId"))];

    /// <summary>An owner and <paramref name="founders"/> members created together, then <paramref name="later"/> users added one by one.</summary>
    private async Task<(string Owner, (string ConversationId, string[] Ids) Founders, string[] Late)> LargeGroupAsync(int founders, int later)
    {
        // The owner's id sorts after everyone's, so "owners first" cannot pass by id order.
        var owner = "zz" + TestApi.NewUser("owner");
        var ids = Enumerable.Range(0, founders).Select(_ => TestApi.NewUser("m")).ToArray();
        var client = server.ClientFor(owner);
        var conversation = await client.CreateGroupAsync(ids);
        var late = new string[later];
        for (var i = 0; i < later; i++)
        {
            await Task.Delay(3);
            late[i] = TestApi.NewUser("a");
            var (status, _) = await client.PostJsonAsync($"/api/messaging/conversations/{conversation.Id()}/add_participant/", new { userId = late[i] });
            Assert.Equal(HttpStatusCode.OK, status);
        }

        return (owner, (conversation.Id(), ids), late);
    }
}
