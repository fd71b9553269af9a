using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Messaging.Tests.Support;

namespace Messaging.Tests.Security;

/// <summary>
/// Every conversation-scoped route called as owner, member, removed member, non-participant, and
/// with no, expired or forged token. A non-participant never learns that anything exists: 404.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class AuthorizationMatrixTests(TestServer server)
{
    public enum Caller
    {
        Owner,
        Member,
        Removed,
        Outsider,
        NoToken,
        Expired,
        Forged,
    }

    // route → expected status for Owner, Member, Removed, Outsider; every route is 401 without a valid token.
    private static readonly Dictionary<string, int[]> Matrix = new()
    {
        ["GET conversation"] = [200, 200, 404, 404],
        ["GET messages"] = [200, 200, 404, 404],
        ["GET participants"] = [200, 200, 404, 404],
        ["POST add_participant"] = [200, 200, 404, 404],
        ["POST remove_participant (someone else)"] = [200, 403, 404, 404],
        ["POST update_title"] = [200, 200, 404, 404],
        ["POST typing"] = [202, 202, 404, 404],
        ["DELETE conversation"] = [204, 403, 404, 404],
        ["POST message"] = [201, 201, 404, 404],
        ["GET message"] = [200, 200, 404, 404],
        ["PATCH message (owner's)"] = [200, 403, 404, 404],
        ["DELETE message (owner's)"] = [204, 403, 404, 404],
        ["DELETE message legacy (owner's)"] = [204, 403, 404, 404],
        ["POST mark_as_read"] = [200, 200, 404, 404],
        ["PUT reaction"] = [200, 200, 404, 404],
        ["DELETE reaction"] = [200, 200, 404, 404],
        ["GET attachment (owner's, in conversation)"] = [200, 200, 404, 404],
        ["DELETE attachment (owner's, unused)"] = [204, 403, 404, 404],
        ["DELETE attachment legacy (owner's, unused)"] = [204, 403, 404, 404],
        ["GET conversations"] = [200, 200, 200, 200],
        ["GET unread_count"] = [200, 200, 200, 200],
        ["POST negotiate"] = [200, 200, 200, 200],

        // Issue 16: a group's PATCH is for owners; replies, mentions and reply targets are hidden from non-participants.
        ["PATCH conversation"] = [200, 403, 404, 404],
        ["GET replies"] = [200, 200, 404, 404],
        ["POST reply"] = [201, 201, 404, 404],
        ["POST message mentioning a participant"] = [201, 201, 404, 404],
        ["GET presence (of the member)"] = [200, 200, 200, 200],
    };

    public static TheoryData<string, Caller, int> Cells()
    {
        var data = new TheoryData<string, Caller, int>();
        foreach (var (route, expected) in Matrix)
        {
            for (var caller = Caller.Owner; caller <= Caller.Forged; caller++)
            {
                data.Add(route, caller, caller <= Caller.Outsider ? expected[(int)caller] : 401);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Route_answers_the_expected_status_for_each_caller(string route, Caller caller, int expected)
    {
        var world = await World.CreateAsync(server);
        var client = world.ClientFor(caller);
        var status = await CallAsync(route, client, world);
        Assert.Equal((HttpStatusCode)expected, status);
    }

    /// <summary>Presence answers 200 to everyone, but names a user only to those who share a conversation with them now.</summary>
    [Theory]
    [InlineData(Caller.Owner, true)]
    [InlineData(Caller.Member, true)]
    [InlineData(Caller.Removed, false)]
    [InlineData(Caller.Outsider, false)]
    public async Task Presence_names_a_participant_only_to_those_who_share_a_conversation_with_them(Caller caller, bool sees)
    {
        var world = await World.CreateAsync(server);
        var (status, body) = await world.ClientFor(caller).GetJsonAsync($"/api/messaging/presence/?userIds={world.Bystander}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(sees ? [world.Bystander] : [], body!["value"]!.AsArray().Select(p => p!["userId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_outsider_reacting_gets_the_404_of_a_missing_message_and_nobody_hears_of_it()
    {
        var world = await World.CreateAsync(server);
        await using var member = await EventClient.ConnectAsync(server.BaseAddress, () => server.TokenFor(world.Member));
        var outsider = world.ClientFor(Caller.Outsider);

        var put = await outsider.SendAsync(HttpMethod.Put, $"/api/messaging/messages/{world.MessageId}/reactions/%F0%9F%91%8D/");
        var delete = await outsider.SendAsync(HttpMethod.Delete, $"/api/messaging/messages/{world.MessageId}/reactions/%F0%9F%91%8D/");
        var missing = await outsider.SendAsync(HttpMethod.Put, $"/api/messaging/messages/{Guid.NewGuid():N}/reactions/%F0%9F%91%8D/");

        Assert.Equal(HttpStatusCode.NotFound, put.Status);
        Assert.Equal(HttpStatusCode.NotFound, delete.Status);
        Assert.Equal(missing.Body.Str("detail"), put.Body.Str("detail"));
        Assert.Equal(missing.Body.Str("title"), put.Body.Str("title"));
        await member.AssertNoneAsync("reaction.added");
        var (_, message) = await world.ClientFor(Caller.Member).GetJsonAsync($"/api/messaging/messages/{world.MessageId}/");
        Assert.Empty(message!["reactions"]!.AsArray());
    }

    private static async Task<HttpStatusCode> CallAsync(string route, HttpClient client, World world)
    {
        var c = world.ConversationId;
        (HttpMethod Method, string Path, object? Body) call = route switch
        {
            "GET conversation" => (HttpMethod.Get, $"/api/messaging/conversations/{c}/", null),
            "GET messages" => (HttpMethod.Get, $"/api/messaging/conversations/{c}/messages/", null),
            "GET participants" => (HttpMethod.Get, $"/api/messaging/conversations/{c}/participants/", null),
            "POST add_participant" => (HttpMethod.Post, $"/api/messaging/conversations/{c}/add_participant/", new { userId = TestApi.NewUser("new") }),
            "POST remove_participant (someone else)" => (HttpMethod.Post, $"/api/messaging/conversations/{c}/remove_participant/", new { userId = world.Bystander }),
            "POST update_title" => (HttpMethod.Post, $"/api/messaging/conversations/{c}/update_title/", new { title = "renamed" }),
            "POST typing" => (HttpMethod.Post, $"/api/messaging/conversations/{c}/typing/", new { isTyping = true }),
            "DELETE conversation" => (HttpMethod.Delete, $"/api/messaging/conversations/{c}/", null),
            "POST message" => (HttpMethod.Post, "/api/messaging/messages/", new { conversationId = c, text = "hi" }),
            "GET message" => (HttpMethod.Get, $"/api/messaging/messages/{world.MessageId}/", null),
            "PATCH message (owner's)" => (HttpMethod.Patch, $"/api/messaging/messages/{world.MessageId}/", new { text = "edited" }),
            "DELETE message (owner's)" => (HttpMethod.Delete, $"/api/messaging/messages/{world.MessageId}/", null),
            "DELETE message legacy (owner's)" => (HttpMethod.Delete, $"/api/messaging/messages/{world.MessageId}/delete/", null),
            "PUT reaction" => (HttpMethod.Put, $"/api/messaging/messages/{world.MessageId}/reactions/%F0%9F%91%8D/", null),
            "DELETE reaction" => (HttpMethod.Delete, $"/api/messaging/messages/{world.MessageId}/reactions/%F0%9F%91%8D/", null),
            "POST mark_as_read" => (HttpMethod.Post, "/api/messaging/messages/mark_as_read/", new { messageIds = new[] { world.MessageId } }),
            "GET attachment (owner's, in conversation)" => (HttpMethod.Get, $"/api/messaging/attachments/{world.AttachmentId}/", null),
            "DELETE attachment (owner's, unused)" => (HttpMethod.Delete, $"/api/messaging/attachments/{world.AttachmentId}/", null),
            "DELETE attachment legacy (owner's, unused)" => (HttpMethod.Delete, $"/api/messaging/attachments/{world.AttachmentId}/delete/", null),
            "GET conversations" => (HttpMethod.Get, "/api/messaging/conversations/", null),
            "GET unread_count" => (HttpMethod.Get, "/api/messaging/messages/unread_count/", null),
            "POST negotiate" => (HttpMethod.Post, "/api/messaging/negotiate", new { }),
            "PATCH conversation" => (HttpMethod.Patch, $"/api/messaging/conversations/{c}/", new { metadata = new Dictionary<string, string> { ["k"] = "v" } }),
            "GET replies" => (HttpMethod.Get, $"/api/messaging/messages/{world.MessageId}/replies/", null),
            "POST reply" => (HttpMethod.Post, "/api/messaging/messages/", new { conversationId = c, text = "re", replyToId = world.MessageId }),
            "POST message mentioning a participant" => (HttpMethod.Post, "/api/messaging/messages/", new { conversationId = c, text = "@by", mentions = new[] { world.Bystander } }),
            "GET presence (of the member)" => (HttpMethod.Get, $"/api/messaging/presence/?userIds={world.Member}", null),
            _ => throw new ArgumentOutOfRangeException(nameof(route), route, null),
        };
        return (await client.SendAsync(call.Method, call.Path, call.Body)).Status;
    }

    /// <summary>A conversation with an owner, a member, a bystander member, a removed member, a message and an attachment of the owner's.</summary>
    private sealed record World(TestServer Server, string Owner, string Member, string Bystander, string Removed, string Outsider, string ConversationId, string MessageId, string AttachmentId)
    {
        public static async Task<World> CreateAsync(TestServer server)
        {
            var (owner, member, bystander, removed, outsider) = (TestApi.NewUser("own"), TestApi.NewUser("mem"), TestApi.NewUser("by"), TestApi.NewUser("rem"), TestApi.NewUser("out"));
            var asOwner = server.ClientFor(owner);
            var conversation = (await asOwner.CreateGroupAsync(member, bystander, removed)).Id();
            await asOwner.PostJsonAsync($"/api/messaging/conversations/{conversation}/remove_participant/", new { userId = removed });
            var message = (await asOwner.SendMessageAsync(conversation, "owner's message")).Id();
            using var form = new MultipartFormDataContent { { new StringContent(conversation), "conversationId" }, { new ByteArrayContent([1, 2, 3]), "file", "a.bin" } };
            using var upload = await asOwner.PostAsync("/api/messaging/attachments/", form);
            var attachment = JsonNode.Parse(await upload.Content.ReadAsStringAsync()).Id();
            return new World(server, owner, member, bystander, removed, outsider, conversation, message, attachment);
        }

        public HttpClient ClientFor(Caller caller)
        {
            var client = Server.ClientFor(caller switch
            {
                Caller.Owner => Owner,
                Caller.Member => Member,
                Caller.Removed => Removed,
                Caller.Outsider => Outsider,
                _ => null,
            });
            if (caller == Caller.Expired)
            {
                var expired = TestTokens.Hs256(TestTokens.Claims(Owner, expires: DateTimeOffset.UtcNow.AddMinutes(-3)));
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", expired);
            }
            else if (caller == Caller.Forged)
            {
                var forged = TestTokens.Hs256(TestTokens.Claims(Owner), "an-attacker-key-that-is-also-32-bytes-or-more");
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", forged);
            }

            return client;
        }
    }
}
