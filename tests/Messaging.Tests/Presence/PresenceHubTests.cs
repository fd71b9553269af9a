using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Messaging.Tests.Store.Cosmos.Double;
using Messaging.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Messaging.Tests.Presence;

/// <summary>
/// Presence on the standalone server's own hub with real SignalR clients. The server's clock is one
/// the test moves, so the 10 s grace passes without waiting for it; the sweeper still ticks on real
/// time (every 2 s), which is what the short real waits below give it.
/// </summary>
public sealed class PresenceHubTests : IAsyncLifetime
{
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private readonly TestServer _server = new();
    private readonly string _alice = TestApi.NewUser("alice");
    private readonly string _bob = TestApi.NewUser("bob");
    private readonly string _stranger = TestApi.NewUser("stranger");

    public Task InitializeAsync()
    {
        _server.ServiceOverrides = services => services.AddSingleton<TimeProvider>(_clock);
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    private Task<EventClient> ConnectAsync(string userId) => EventClient.ConnectAsync(_server.BaseAddress, () => _server.TokenFor(userId), withPresence: true);

    private Func<JsonElement, bool> Presence(string userId, string status) =>
        p => p.GetProperty("userId").GetString() == userId && p.GetProperty("status").GetString() == status;

    private async Task<JsonArray> PresenceAsync(string caller, params string[] userIds)
    {
        var (status, body) = await _server.ClientFor(caller).GetJsonAsync($"/api/messaging/presence/?userIds={string.Join(",", userIds.Select(Uri.EscapeDataString))}");
        Assert.Equal(HttpStatusCode.OK, status);
        return body!["value"]!.AsArray();
    }

    /// <summary>Waits until the server has handled the close of the user's last connection (it happens after the client is gone).</summary>
    private async Task<DateTimeOffset> LastSeenAsync(string caller, string userId)
    {
        for (var i = 0; i < 300; i++)
        {
            if ((await PresenceAsync(caller, userId)).SingleOrDefault()?["lastSeenAt"]?.GetValue<DateTimeOffset>() is { } seen)
            {
                return seen;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"The server never recorded that {userId} left.");
    }

    [Fact]
    public async Task A_participant_sees_the_other_online_and_offline_only_after_10_seconds_without_a_connection()
    {
        await _server.ClientFor(_alice).CreateGroupAsync(_bob);
        await using var bob = await ConnectAsync(_bob);
        await using var stranger = await ConnectAsync(_stranger);
        var alice = await ConnectAsync(_alice);

        var online = await bob.WaitForAsync("presence.changed", Presence(_alice, "online"));
        Assert.Equal(JsonValueKind.Null, online.GetProperty("lastSeenAt").ValueKind);
        Assert.Equal("online", (await PresenceAsync(_bob, _alice)).Single()!["status"]!.GetValue<string>());

        await alice.DisposeAsync();
        var closedAt = await LastSeenAsync(_bob, _alice);
        await Task.Delay(PresenceSweeperInterval * 1.5);
        await bob.AssertNoneAsync("presence.changed", Presence(_alice, "offline"), 0);
        Assert.Equal("online", (await PresenceAsync(_bob, _alice)).Single()!["status"]!.GetValue<string>());

        _clock.Advance(TimeSpan.FromSeconds(10));
        var offline = await bob.WaitForAsync("presence.changed", Presence(_alice, "offline"));
        Assert.Equal(closedAt, offline.GetProperty("lastSeenAt").GetDateTimeOffset());
        var answered = (await PresenceAsync(_bob, _alice)).Single()!;
        Assert.Equal("offline", answered["status"]!.GetValue<string>());
        Assert.Equal(closedAt, answered["lastSeenAt"]!.GetValue<DateTimeOffset>());

        Assert.DoesNotContain(stranger.Received, r => r.Name == "presence.changed");
    }

    [Fact]
    public async Task A_reconnect_within_10_seconds_announces_neither_offline_nor_online_again()
    {
        await _server.ClientFor(_alice).CreateGroupAsync(_bob);
        await using var bob = await ConnectAsync(_bob);
        var first = await ConnectAsync(_alice);
        await bob.WaitForAsync("presence.changed", Presence(_alice, "online"));

        await first.DisposeAsync();
        await LastSeenAsync(_bob, _alice);
        _clock.Advance(TimeSpan.FromSeconds(9));
        await using var second = await ConnectAsync(_alice);
        _clock.Advance(TimeSpan.FromSeconds(30));
        await Task.Delay(PresenceSweeperInterval * 1.5);

        Assert.Single(bob.Received, r => r.Name == "presence.changed" && r.Payload.GetProperty("userId").GetString() == _alice);
        Assert.Equal("online", (await PresenceAsync(_bob, _alice)).Single()!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Several_tabs_keep_a_user_online_until_the_last_one_closes()
    {
        await _server.ClientFor(_alice).CreateGroupAsync(_bob);
        await using var bob = await ConnectAsync(_bob);
        var tab1 = await ConnectAsync(_alice);
        var tab2 = await ConnectAsync(_alice);
        await bob.WaitForAsync("presence.changed", Presence(_alice, "online"));

        await tab1.DisposeAsync();
        _clock.Advance(TimeSpan.FromSeconds(30));
        await Task.Delay(PresenceSweeperInterval * 1.5);
        await bob.AssertNoneAsync("presence.changed", Presence(_alice, "offline"), 0);
        Assert.Equal("online", (await PresenceAsync(_bob, _alice)).Single()!["status"]!.GetValue<string>());

        await tab2.DisposeAsync();
        await LastSeenAsync(_bob, _alice);
        _clock.Advance(TimeSpan.FromSeconds(10));
        await bob.WaitForAsync("presence.changed", Presence(_alice, "offline"));
    }

    [Fact]
    public async Task Presence_answers_only_users_who_share_a_conversation_with_the_caller_and_the_caller()
    {
        await _server.ClientFor(_alice).CreateGroupAsync(_bob);
        await using var stranger = await ConnectAsync(_stranger);
        var never = TestApi.NewUser("never");
        await _server.ClientFor(_alice).CreateGroupAsync(never);

        var answered = await PresenceAsync(_bob, _stranger, _alice, _bob, _alice, never);

        Assert.Equal([_alice, _bob], answered.Select(p => p!["userId"]!.GetValue<string>()));
        Assert.All(answered, p => Assert.Equal("offline", p!["status"]!.GetValue<string>()));
        Assert.All(answered, p => Assert.Null(p!["lastSeenAt"]));
        Assert.Empty(await PresenceAsync(_stranger, _alice, _bob));
        Assert.Equal("online", (await PresenceAsync(_stranger, _stranger)).Single()!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task When_a_user_was_last_seen_outlives_a_restart_of_the_server()
    {
        await _server.ClientFor(_alice).CreateGroupAsync(_bob);
        var alice = await ConnectAsync(_alice);
        await alice.DisposeAsync();
        var seen = await LastSeenAsync(_bob, _alice);

        await _server.RestartAsync();

        var answered = (await PresenceAsync(_bob, _alice)).Single()!;
        Assert.Equal(seen, answered["lastSeenAt"]!.GetValue<DateTimeOffset>());
    }

    private static TimeSpan PresenceSweeperInterval => Functions.Realtime.PresenceSweeper.Interval;
}
