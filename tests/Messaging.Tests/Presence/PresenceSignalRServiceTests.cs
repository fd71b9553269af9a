using System.Net;
using System.Text.Json;
using Messaging.Domain.Presence;
using Messaging.Functions.Realtime;
using Messaging.Tests.Store.Cosmos.Double;
using Messaging.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Messaging.Tests.Presence;

/// <summary>
/// Presence through Azure SignalR Service (the fake): the upstream <c>connected</c> and
/// <c>disconnected</c> events, announcements as one send per conversation group, and recovery from a
/// <c>disconnected</c> the service never delivered. The server's clock is one the test moves; it
/// starts a few minutes in the past so that the service tokens it signs stay valid in real time.
/// </summary>
public sealed class PresenceSignalRServiceTests : IAsyncLifetime
{
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow.AddMinutes(-4));
    private readonly TestServer _server = new();
    private readonly string _alice = TestApi.NewUser("alice");
    private readonly string _bob = TestApi.NewUser("bob");
    private FakeSignalRService _service = null!;

    public async Task InitializeAsync()
    {
        _service = await FakeSignalRService.StartAsync();
        _server.Settings["AzureSignalRConnectionString"] = _service.ConnectionString;
        _server.ServiceOverrides = services => services.AddSingleton<TimeProvider>(_clock);
        await _server.InitializeAsync();
        _service.Upstream = _server.BaseAddress;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _service.DisposeAsync();
    }

    private static Func<JsonElement, bool> Presence(string userId, string status) =>
        p => p.GetProperty("userId").GetString() == userId && p.GetProperty("status").GetString() == status;

    private static Task SweepsAsync() => Task.Delay(PresenceSweeper.Interval * 1.5);

    private async Task<string> AliceAndBobAsync()
    {
        var conversationId = (await _server.ClientFor(_alice).CreateGroupAsync(_bob)).Id();
        await _server.ClientFor(_alice).SendMessageAsync(conversationId, "fills the group");
        await _service.WaitForAsync(r => r.Target == "message.created");
        return conversationId;
    }

    private async Task<string> StatusAsync(string caller, string userId)
    {
        var (status, body) = await _server.ClientFor(caller).GetJsonAsync($"/api/messaging/presence/?userIds={userId}");
        Assert.Equal(HttpStatusCode.OK, status);
        return body!["value"]!.AsArray().Single()!["status"]!.GetValue<string>();
    }

    [Fact]
    public async Task Connected_and_disconnected_upstream_events_reach_the_other_participant_through_the_conversation_group()
    {
        var conversationId = await AliceAndBobAsync();
        var bob = await _service.ConnectAsync(_bob);
        var alice = await _service.ConnectAsync(_alice);

        await bob.WaitForAsync("presence.changed", Presence(_alice, "online"));
        var sends = _service.Requests.Where(r => r.Target == "presence.changed" && r.Refusal is null).ToList();
        Assert.Contains(sends, r => r.Path == $"/api/v1/hubs/messaging/groups/conversation_{conversationId}_0");
        Assert.DoesNotContain(sends, r => r.Path.Contains("/users/", StringComparison.Ordinal));

        await _service.DisconnectAsync(alice);
        Assert.Equal(200, alice.DisconnectedStatus);
        await SweepsAsync();
        Assert.DoesNotContain(bob.Received, r => r.Target == "presence.changed" && Presence(_alice, "offline")(r.Argument));
        Assert.Equal("online", await StatusAsync(_bob, _alice));

        _clock.Advance(PresenceState.OfflineGrace);
        await bob.WaitForAsync("presence.changed", Presence(_alice, "offline"));
        Assert.Equal("offline", await StatusAsync(_bob, _alice));
    }

    [Fact]
    public async Task A_disconnected_event_handled_before_its_connected_leaves_the_user_offline()
    {
        await AliceAndBobAsync();
        var bob = await _service.ConnectAsync(_bob);

        var alice = await _service.ConnectAndCloseWithEventsReversedAsync(_alice);
        Assert.Equal((200, 200), (alice.DisconnectedStatus, alice.ConnectedStatus));
        _clock.Advance(PresenceState.OfflineGrace);
        await SweepsAsync();

        Assert.Equal("offline", await StatusAsync(_bob, _alice));
        Assert.DoesNotContain(bob.Received, r => r.Target == "presence.changed" && r.Argument.GetProperty("userId").GetString() == _alice);
    }

    [Fact]
    public async Task A_disconnected_event_the_service_never_delivered_is_recovered_once_the_connection_lease_ends()
    {
        await AliceAndBobAsync();
        var bob = await _service.ConnectAsync(_bob);
        var alice = await _service.ConnectAsync(_alice);
        await bob.WaitForAsync("presence.changed", Presence(_alice, "online"));

        _service.Disconnect(alice);
        _clock.Advance(PresenceState.MaxLease);
        var check = await _service.WaitForAsync(r => r.Method == "GET" && r.Path == $"/api/v1/hubs/messaging/connections/{alice.ConnectionId}");
        Assert.Null(check.Refusal);
        Assert.Equal("online", await StatusAsync(_bob, _alice));

        _clock.Advance(PresenceState.OfflineGrace);
        await bob.WaitForAsync("presence.changed", Presence(_alice, "offline"));
        Assert.Equal("online", await StatusAsync(_alice, _bob));
    }

    [Fact]
    public async Task A_connection_check_the_service_refuses_keeps_the_user_online_until_the_service_answers()
    {
        await AliceAndBobAsync();
        var bob = await _service.ConnectAsync(_bob);
        var alice = await _service.ConnectAsync(_alice);
        await bob.WaitForAsync("presence.changed", Presence(_alice, "online"));
        _service.FailWhen((method, _) => method == "GET", 503);

        _service.Disconnect(alice);
        _clock.Advance(PresenceState.MaxLease);
        await RefusedCheckAsync();
        await SweepsAsync();
        _clock.Advance(PresenceState.OfflineGrace);
        await SweepsAsync();
        Assert.Contains(_service.Refused, r => r.Method == "GET");
        Assert.DoesNotContain(bob.Received, r => r.Target == "presence.changed" && Presence(_alice, "offline")(r.Argument));
        Assert.Equal("online", await StatusAsync(_bob, _alice));

        _service.StopFailing();
        _clock.Advance(PresenceService.RecheckAfter);
        await _service.WaitForAsync(r => r.Method == "GET" && r.Refusal is null);
        _clock.Advance(PresenceState.OfflineGrace);
        await bob.WaitForAsync("presence.changed", Presence(_alice, "offline"));
    }

    private async Task RefusedCheckAsync()
    {
        for (var i = 0; i < 200 && !_service.Refused.Any(r => r.Method == "GET"); i++)
        {
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_connection_that_is_still_open_after_its_lease_keeps_its_user_online()
    {
        await AliceAndBobAsync();
        var bob = await _service.ConnectAsync(_bob);
        await _service.ConnectAsync(_alice);
        await bob.WaitForAsync("presence.changed", Presence(_alice, "online"));

        _clock.Advance(PresenceState.MaxLease);
        await _service.WaitForAsync(r => r.Method == "GET" && r.Refusal is null);
        _clock.Advance(PresenceState.OfflineGrace);
        await SweepsAsync();

        Assert.Equal("online", await StatusAsync(_bob, _alice));
        Assert.Single(bob.Received, r => r.Target == "presence.changed" && r.Argument.GetProperty("userId").GetString() == _alice);
    }
}
