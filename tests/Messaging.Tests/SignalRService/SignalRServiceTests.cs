using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Messaging.Functions.Realtime.SignalRService;
using Messaging.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Messaging.Tests.SignalRService;

/// <summary>The standalone server configured with <c>AzureSignalRConnectionString</c>, talking to a fake service.</summary>
public sealed class SignalRServiceFixture : IAsyncLifetime
{
    public FakeSignalRService Service { get; private set; } = null!;

    public TestServer Server { get; } = new();

    public async Task InitializeAsync()
    {
        Service = await FakeSignalRService.StartAsync();
        Server.Settings["AzureSignalRConnectionString"] = Service.ConnectionString;
        await Server.InitializeAsync();
        Service.Upstream = Server.BaseAddress;
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Service.DisposeAsync();
    }
}

public sealed class SignalRServiceTests(SignalRServiceFixture fixture) : IClassFixture<SignalRServiceFixture>
{
    private FakeSignalRService Service => fixture.Service;

    private TestServer Server => fixture.Server;

    private static string GroupPath(string conversationId, int epoch = 0) => $"/api/v1/hubs/messaging/groups/conversation_{conversationId}_{epoch}";

    [Fact]
    public async Task A_sent_message_is_one_signed_post_to_the_conversation_group()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var conversationId = (await Server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        var sent = await Server.ClientFor(alice).SendMessageAsync(conversationId, "hello service");

        var request = await Service.WaitForAsync(r => r.Path == GroupPath(conversationId) && r.Target == "message.created");
        Assert.Equal("POST", request.Method);
        var argument = Assert.Single(request.Arguments!);
        Assert.Equal(sent.Id(), argument.GetProperty("id").GetString());
        Assert.Equal("hello service", argument.GetProperty("text").GetString());
        Assert.Equal(1, argument.GetProperty("sequence").GetInt64());
        Assert.EndsWith("Z", argument.GetProperty("createdAt").GetString(), StringComparison.Ordinal);

        // A short-lived server token, accepted by the fake's signature/audience/lifetime checks.
        Assert.InRange(request.TokenExpires!.Value - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(6));
        Assert.Single(Service.Requests, r => r.Path == GroupPath(conversationId) && r.Target == "message.created" && r.Refusal is null);
        Assert.Empty(Service.Refused);
    }

    [Fact]
    public async Task Creating_a_conversation_adds_every_participant_to_its_group()
    {
        var (alice, bob, carol) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"), TestApi.NewUser("carol"));
        var conversationId = (await Server.ClientFor(alice).CreateGroupAsync(bob, carol)).Id();

        foreach (var user in new[] { alice, bob, carol })
        {
            var join = await Service.WaitForAsync(r => r.Path == $"{GroupPath(conversationId)}/users/{user}");
            Assert.Equal("PUT", join.Method);
        }

        // One payload for the whole group, after every participant is in it; no per-user unread count.
        var created = await Service.WaitForAsync(r => r.Path == GroupPath(conversationId) && r.Target == "conversation.created");
        Assert.Equal(conversationId, Assert.Single(created.Arguments!).GetProperty("id").GetString());
        Assert.False(created.Arguments![0].TryGetProperty("unreadCount", out _));
        Assert.Single(Service.Requests, r => r.Target == "conversation.created" && r.Path.Contains(conversationId, StringComparison.Ordinal));
        Assert.Empty(Service.Refused);
    }

    [Fact]
    public async Task Removing_a_participant_takes_them_out_of_the_group_and_tells_them()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var conversationId = (await Server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        await Service.WaitForAsync(r => r.Path == $"{GroupPath(conversationId)}/users/{bob}" && r.Method == "PUT");

        var (status, _) = await Server.ClientFor(alice).PostJsonAsync($"/api/messaging/conversations/{conversationId}/remove_participant/", new { userId = bob });
        Assert.Equal(HttpStatusCode.OK, status);

        // The removal starts a new membership epoch; leaving the old epoch's group is only tidying up.
        var leave = await Service.WaitForAsync(r => r.Path == $"{GroupPath(conversationId)}/users/{bob}" && r.Method == "DELETE");
        Assert.Null(leave.Target);
        var deleted = await Service.WaitForAsync(r => r.Path == $"/api/v1/hubs/messaging/users/{bob}" && r.Target == "conversation.deleted");
        Assert.Equal(conversationId, Assert.Single(deleted.Arguments!).GetProperty("id").GetString());
        Assert.Empty(Service.Refused);
    }

    [Fact]
    public async Task Negotiate_sends_the_client_to_the_service_with_a_token_for_the_caller()
    {
        var alice = TestApi.NewUser("alice");
        var (status, body) = await Server.ClientFor(alice).PostJsonAsync("/api/messaging/negotiate", "{}");
        Assert.Equal(HttpStatusCode.OK, status);

        var url = body.Str("url");
        Assert.Equal($"{Service.Endpoint.GetLeftPart(UriPartial.Authority)}/client/?hub=messaging", url);

        // The audience is the client URL as the service sees it: without the port (no port on a real endpoint).
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(body.Str("accessToken"), new TokenValidationParameters
        {
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Service.AccessKey)),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuer = false,
            ValidAudience = Service.AudienceFor("/client/?hub=messaging"),
            ClockSkew = TimeSpan.Zero,
        });
        Assert.True(validation.IsValid, validation.Exception?.Message);
        var token = (JsonWebToken)validation.SecurityToken;
        Assert.Equal(alice, token.GetClaim("nameid").Value);
        Assert.InRange(token.ValidTo - DateTime.UtcNow, TimeSpan.FromMinutes(58), TimeSpan.FromMinutes(61));
    }

    private async Task<(HttpStatusCode Status, string ContentType, string Body)> UpstreamAsync(
        string path, string? userId, string? body, Func<string, string?>? signature = null)
    {
        var connectionId = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/messaging/upstream/{path}");
        request.Headers.Add("X-ASRS-Connection-Id", connectionId);
        request.Headers.Add("X-ASRS-Hub", "messaging");
        if (userId is not null)
        {
            request.Headers.Add("X-ASRS-User-Id", userId);
        }

        var signed = (signature ?? (id => $"sha256={new string('0', 64)},{UpstreamAuthenticator.Sign(id, Service.AccessKey)}"))(connectionId);
        if (signed is not null)
        {
            request.Headers.TryAddWithoutValidation("X-ASRS-Signature", signed);
        }

        request.Content = new StringContent(body ?? "", Encoding.UTF8);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await Server.ClientFor(null).SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType ?? "", await response.Content.ReadAsStringAsync());
    }

    private static JsonElement Completion(string body)
    {
        Assert.EndsWith("\u001e", body, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(body.TrimEnd('\u001e'));
        var completion = document.RootElement.Clone();
        Assert.Equal(3, completion.GetProperty("type").GetInt32());
        return completion;
    }

    private static string Invocation(string? invocationId, string target, object argument) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["type"] = 1,
            ["invocationId"] = invocationId,
            ["target"] = target,
            ["arguments"] = new[] { argument },
        }) + "\u001e";

    [Fact]
    public async Task Upstream_message_send_stores_the_message_and_completes_with_it()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var conversationId = (await Server.ClientFor(alice).CreateGroupAsync(bob)).Id();

        var (status, _, body) = await UpstreamAsync("messaging/messages/message.send", alice, Invocation("1", "message.send", new { conversationId, text = "via upstream" }));
        Assert.Equal(HttpStatusCode.OK, status);
        var completion = Completion(body);
        Assert.Equal("1", completion.GetProperty("invocationId").GetString());
        Assert.False(completion.TryGetProperty("error", out _));
        var message = completion.GetProperty("result");
        Assert.Equal("via upstream", message.GetProperty("text").GetString());
        Assert.Equal(alice, message.GetProperty("senderId").GetString());

        var (_, page) = await Server.ClientFor(bob).GetJsonAsync($"/api/messaging/conversations/{conversationId}/messages/");
        Assert.Equal(message.GetProperty("id").GetString(), page!["value"]![0].Id());

        // A non-blocking invocation: stored, answered with an empty 200.
        var (quiet, _, quietBody) = await UpstreamAsync("messaging/messages/message.send", bob, Invocation(null, "message.send", new { conversationId, text = "no answer wanted" }));
        Assert.Equal(HttpStatusCode.OK, quiet);
        Assert.Equal("", quietBody);
        var (_, after) = await Server.ClientFor(alice).GetJsonAsync($"/api/messaging/conversations/{conversationId}/messages/");
        Assert.Equal("no answer wanted", after!["value"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_of_a_conversation_is_one_post_of_conversation_updated_to_its_group()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var conversationId = (await Server.ClientFor(alice).CreateGroupAsync(bob)).Id();

        await Server.ClientFor(alice).SendAsync(HttpMethod.Patch, $"/api/messaging/conversations/{conversationId}/", new { metadata = new Dictionary<string, string> { ["status"] = "done" } });

        var updated = await Service.WaitForAsync(r => r.Path == GroupPath(conversationId) && r.Target == "conversation.updated");
        Assert.Equal("done", Assert.Single(updated.Arguments!).GetProperty("metadata").GetProperty("status").GetString());
        Assert.Empty(Service.Refused);
    }

    [Fact]
    public async Task Upstream_message_send_takes_a_reply_target_mentions_and_metadata()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var conversationId = (await Server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        var parent = await Server.ClientFor(bob).SendMessageAsync(conversationId, "question?");

        var (_, _, body) = await UpstreamAsync(
            "messaging/messages/message.send", alice,
            Invocation("1", "message.send", new { conversationId, text = "answer", replyToId = parent.Id(), mentions = new[] { bob }, metadata = new Dictionary<string, string> { ["k"] = "v" } }));
        var message = Completion(body).GetProperty("result");

        Assert.Equal(parent.Id(), message.GetProperty("replyTo").GetProperty("id").GetString());
        Assert.Equal(bob, message.GetProperty("mentions")[0].GetString());
        Assert.Equal("v", message.GetProperty("metadata").GetProperty("k").GetString());
        var (_, unread) = await Server.ClientFor(bob).GetJsonAsync("/api/messaging/messages/unread_count/");
        Assert.Equal(1, unread!["mentions"]!.GetValue<int>());
        var created = await Service.WaitForAsync(r => r.Path == GroupPath(conversationId) && r.Target == "message.created"
            && r.Arguments![0].GetProperty("id").GetString() == message.GetProperty("id").GetString());
        Assert.Equal(parent.Id(), created.Arguments![0].GetProperty("replyTo").GetProperty("id").GetString());
    }

    [Fact]
    public async Task Upstream_reaction_add_and_remove_complete_with_the_message_and_only_participants_hear_of_them()
    {
        var (alice, bob, eve) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"), TestApi.NewUser("eve"));
        var bobConnection = await Service.ConnectAsync(bob);
        var eveConnection = await Service.ConnectAsync(eve);
        var conversationId = (await Server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        var messageId = (await Server.ClientFor(alice).SendMessageAsync(conversationId, "react")).Id();

        var (status, _, body) = await UpstreamAsync("messaging/messages/reaction.add", alice, Invocation("3", "reaction.add", new { messageId, reaction = "👍🏽" }));
        var added = await bobConnection.WaitForAsync("reaction.added", e => e.GetProperty("messageId").GetString() == messageId);
        var (_, _, removedBody) = await UpstreamAsync("messaging/messages/reaction.remove", alice, Invocation("4", "reaction.remove", new { messageId, reaction = "👍🏽" }));
        var removed = await bobConnection.WaitForAsync("reaction.removed", e => e.GetProperty("messageId").GetString() == messageId);
        var (_, _, outsiderBody) = await UpstreamAsync("messaging/messages/reaction.add", eve, Invocation("5", "reaction.add", new { messageId, reaction = "👍🏽" }));

        Assert.Equal(HttpStatusCode.OK, status);
        var message = Completion(body).GetProperty("result");
        Assert.Equal("👍🏽", message.GetProperty("reactions")[0].GetProperty("reaction").GetString());
        Assert.Equal(["👍🏽"], message.GetProperty("myReactions").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(alice, added.GetProperty("userId").GetString());
        Assert.Equal(1, added.GetProperty("count").GetInt32());
        Assert.Empty(Completion(removedBody).GetProperty("result").GetProperty("reactions").EnumerateArray());
        Assert.Equal(0, removed.GetProperty("count").GetInt32());
        Assert.Equal("Message was not found.", Completion(outsiderBody).GetProperty("error").GetString());
        Assert.DoesNotContain(eveConnection.Received, r => r.Target.StartsWith("reaction.", StringComparison.Ordinal));
        Assert.Single(bobConnection.Received, r => r.Target == "reaction.added");
    }

    [Fact]
    public async Task Upstream_invocation_of_a_non_participant_completes_with_the_not_found_error()
    {
        var (alice, eve) = (TestApi.NewUser("alice"), TestApi.NewUser("eve"));
        var conversationId = (await Server.ClientFor(alice).CreateGroupAsync(TestApi.NewUser("bob"))).Id();

        var (status, _, body) = await UpstreamAsync("messaging/messages/message.send", eve, Invocation("7", "message.send", new { conversationId, text = "let me in" }));
        Assert.Equal(HttpStatusCode.OK, status);
        var completion = Completion(body);
        Assert.Equal("7", completion.GetProperty("invocationId").GetString());
        Assert.Equal("Conversation was not found.", completion.GetProperty("error").GetString());
        Assert.False(completion.TryGetProperty("result", out _));
    }

    [Fact]
    public async Task Upstream_refuses_forged_or_missing_signatures()
    {
        var alice = TestApi.NewUser("alice");
        var invocation = Invocation("1", "message.send", new { conversationId = "any", text = "x" });

        var forged = await UpstreamAsync("messaging/messages/message.send", alice, invocation, id => UpstreamAuthenticator.Sign(id, "not-the-access-key"));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.Status);
        Assert.Equal("application/problem+json", forged.ContentType);
        Assert.Contains("\"status\":401", forged.Body, StringComparison.Ordinal);

        var signedForAnotherConnection = await UpstreamAsync("messaging/messages/message.send", alice, invocation, _ => UpstreamAuthenticator.Sign("other-connection", Service.AccessKey));
        Assert.Equal(HttpStatusCode.Unauthorized, signedForAnotherConnection.Status);

        var missing = await UpstreamAsync("messaging/messages/message.send", alice, invocation, _ => null);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.Status);
        Assert.Equal("application/problem+json", missing.ContentType);

        // The service's hex may be upper case.
        var upper = await UpstreamAsync("messaging/connections/connected", alice, "", id => "SHA256=" + UpstreamAuthenticator.Sign(id, Service.AccessKey)["sha256=".Length..].ToUpperInvariant());
        Assert.Equal(HttpStatusCode.OK, upper.Status);
    }

    [Fact]
    public async Task Upstream_connection_events_are_acknowledged()
    {
        var alice = TestApi.NewUser("alice");
        Assert.Equal(HttpStatusCode.OK, (await UpstreamAsync("messaging/connections/connected", alice, "")).Status);
        Assert.Equal(HttpStatusCode.OK, (await UpstreamAsync("messaging/connections/disconnected", alice, "{\"error\":\"\"}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await UpstreamAsync("otherhub/connections/connected", alice, "")).Status);
    }
}
