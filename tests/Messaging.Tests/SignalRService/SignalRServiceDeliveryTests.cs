using System.Net;
using System.Text.Json;
using Messaging.Tests.Support;

namespace Messaging.Tests.SignalRService;

/// <summary>
/// What clients of Azure SignalR Service receive when the service misbehaves: the standalone
/// server (embedded store) publishing to the fake service, whose client connections record what
/// reaches them. Each test has its own server and service, since failures are injected service-wide.
/// </summary>
public sealed class SignalRServiceDeliveryTests : IAsyncLifetime
{
    private readonly SignalRServiceFixture _fixture = new();

    private FakeSignalRService Service => _fixture.Service;

    private TestServer Server => _fixture.Server;

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    private static bool IsGroupMembership(string method, string path) => path.Contains("/groups/", StringComparison.Ordinal) && path.Contains("/users/", StringComparison.Ordinal);

    private static Func<JsonElement, bool> Text(string text) => m => m.GetProperty("text").GetString() == text;

    private static bool Mentions(JsonElement payload, string conversationId) =>
        payload.ToString().Contains(conversationId, StringComparison.Ordinal);

    [Fact]
    public async Task A_removed_participant_hears_nothing_more_when_the_service_refuses_their_removal()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var aliceConnection = await Service.ConnectAsync(alice);
        var bobConnection = await Service.ConnectAsync(bob);
        var conversationId = (await Server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        await Server.ClientFor(alice).SendMessageAsync(conversationId, "before");
        await bobConnection.WaitForAsync("message.created", Text("before"));

        Service.FailWhen((method, path) => method == "DELETE" && IsGroupMembership(method, path), 503);
        var (status, _) = await Server.ClientFor(alice).PostJsonAsync($"/api/messaging/conversations/{conversationId}/remove_participant/", new { userId = bob });
        Assert.Equal(HttpStatusCode.OK, status);
        await bobConnection.WaitForAsync("conversation.deleted", e => e.GetProperty("id").GetString() == conversationId);

        await Server.ClientFor(alice).SendMessageAsync(conversationId, "after the removal");
        await Server.ClientFor(alice).PostJsonAsync($"/api/messaging/conversations/{conversationId}/update_title/", new { title = "renamed" });
        await aliceConnection.WaitForAsync("message.created", Text("after the removal"));
        await aliceConnection.WaitForAsync("conversation.updated", e => e.GetProperty("title").GetString() == "renamed");

        Assert.Contains(Service.Refused, r => r.Method == "DELETE");
        var afterRemoval = bobConnection.Received.SkipWhile(r => r.Target != "conversation.deleted").Skip(1);
        Assert.DoesNotContain(afterRemoval, r => Mentions(r.Argument, conversationId));
    }

    [Fact]
    public async Task Mappings_the_service_lost_come_back_when_the_user_reconnects()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        await Service.ConnectAsync(alice);
        var bobConnection = await Service.ConnectAsync(bob);
        var conversationId = (await Server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        await Server.ClientFor(alice).SendMessageAsync(conversationId, "one");
        await bobConnection.WaitForAsync("message.created", Text("one"));

        Service.ForgetMappings();
        Service.Disconnect(bobConnection);
        var again = await Service.ConnectAsync(bob);
        Assert.Equal(200, again.ConnectedStatus);
        Assert.Contains(bob, Service.UsersOf($"conversation_{conversationId}_0"));

        await Server.ClientFor(alice).SendMessageAsync(conversationId, "two");
        await again.WaitForAsync("message.created", Text("two"));
    }

    [Fact]
    public async Task A_membership_the_service_refused_is_retried_until_it_holds()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        await Service.ConnectAsync(alice);
        var bobConnection = await Service.ConnectAsync(bob);

        // More refusals than the REST client's own retries: only the reconciler can get bob in.
        Service.FailWhen((method, path) => method == "PUT" && path.EndsWith($"/users/{bob}", StringComparison.Ordinal), 503, count: 6);
        var conversationId = (await Server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        await Service.WaitForAsync(r => r.Target == "conversation.created" && r.Path.Contains(conversationId, StringComparison.Ordinal));
        Assert.DoesNotContain(bob, Service.UsersOf($"conversation_{conversationId}_0"));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!Service.UsersOf($"conversation_{conversationId}_0").Contains(bob) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Contains(bob, Service.UsersOf($"conversation_{conversationId}_0"));
        await Server.ClientFor(alice).SendMessageAsync(conversationId, "you are in now");
        await bobConnection.WaitForAsync("message.created", Text("you are in now"));
    }

    [Fact]
    public async Task A_participant_added_back_receives_again_and_others_never_miss_a_message()
    {
        var (alice, bob, carol) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"), TestApi.NewUser("carol"));
        var carolConnection = await Service.ConnectAsync(carol);
        var bobConnection = await Service.ConnectAsync(bob);
        var conversationId = (await Server.ClientFor(alice).CreateGroupAsync(bob, carol)).Id();
        var client = Server.ClientFor(alice);
        await client.SendMessageAsync(conversationId, "1");
        await client.PostJsonAsync($"/api/messaging/conversations/{conversationId}/remove_participant/", new { userId = bob });
        await client.SendMessageAsync(conversationId, "2");

        // Message 2 goes out while bob is out; once he is back, a late event of it would rightly reach him (he can read it in the history).
        await carolConnection.WaitForAsync("message.created", Text("2"));
        await client.PostJsonAsync($"/api/messaging/conversations/{conversationId}/add_participant/", new { userId = bob });
        await client.SendMessageAsync(conversationId, "3");

        await bobConnection.WaitForAsync("message.created", Text("3"));
        await carolConnection.WaitForAsync("message.created", Text("3"));
        Assert.DoesNotContain(bobConnection.Received, r => r.Target == "message.created" && Text("2")(r.Argument));
        var carolSequences = carolConnection.Received.Where(r => r.Target == "message.created").Select(r => r.Argument.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal([1, 2, 3], carolSequences);

        // The epoch moved once (one removal): the current group holds exactly the participants.
        Assert.Equal(new HashSet<string> { alice, bob, carol }, Service.UsersOf($"conversation_{conversationId}_1"));
    }
}
