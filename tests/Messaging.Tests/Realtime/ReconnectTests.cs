using Messaging.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;

namespace Messaging.Tests.Realtime;

/// <summary>Its own server, because the test restarts it.</summary>
public sealed class ReconnectTests : IAsyncLifetime
{
    private readonly TestServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Client_that_reconnects_after_a_restart_catches_up_without_losing_a_message()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var id = (await _server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        await using var bobClient = await EventClient.ConnectAsync(_server.BaseAddress, () => _server.TokenFor(bob));
        var reconnected = new TaskCompletionSource();
        bobClient.Connection.Reconnected += _ =>
        {
            reconnected.TrySetResult();
            return Task.CompletedTask;
        };

        for (var i = 1; i <= 3; i++)
        {
            await _server.ClientFor(alice).SendMessageAsync(id, $"before {i}");
        }

        await bobClient.WaitForAsync("message.created", p => p.GetProperty("sequence").GetInt64() == 3);
        await _server.RestartAsync();
        for (var i = 1; i <= 3; i++)
        {
            await _server.ClientFor(alice).SendMessageAsync(id, $"after {i}");
        }

        await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(HubConnectionState.Connected, bobClient.Connection.State);

        // The client recipe: remember the last sequence seen without a gap, fetch what came after it.
        // (After the reconnect a live event may arrive before the ones sent while the client was away.)
        var received = bobClient.Received.Where(r => r.Name == "message.created").Select(r => r.Payload.GetProperty("sequence").GetInt64()).ToHashSet();
        var lastSeen = 0L;
        while (received.Contains(lastSeen + 1))
        {
            lastSeen++;
        }

        var (_, missed) = await _server.ClientFor(bob).GetJsonAsync($"/api/messaging/conversations/{id}/messages/?after={lastSeen}");
        var seen = bobClient.Received.Where(r => r.Name == "message.created").Select(r => r.Payload.GetProperty("sequence").GetInt64())
            .Concat(missed!["value"]!.AsArray().Select(m => m!["sequence"]!.GetValue<long>()))
            .Distinct().Order();
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), seen);

        var live = await _server.ClientFor(alice).SendMessageAsync(id, "live again");
        await bobClient.WaitForAsync("message.created", p => p.GetProperty("id").GetString() == live.Id());
    }
}
