using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Messaging.Tests.Support;

/// <summary>A stock SignalR client connected as in docs/api.md, recording every event it receives.</summary>
public sealed class EventClient : IAsyncDisposable
{
    public static readonly string[] EventNames =
    [
        "message.created", "message.updated", "message.deleted", "message.read",
        "conversation.created", "conversation.updated", "conversation.deleted", "typing.indicator",
        "reaction.added", "reaction.removed",
    ];

    private readonly ConcurrentQueue<(string Name, JsonElement Payload)> _received = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private EventClient(HubConnection connection) => Connection = connection;

    public HubConnection Connection { get; }

    public IReadOnlyList<(string Name, JsonElement Payload)> Received => [.. _received];

    /// <param name="baseAddress">The server.</param>
    /// <param name="token">The caller's bearer token.</param>
    /// <param name="withPresence">Also records <c>presence.changed</c>, which every other test ignores.</param>
    public static async Task<EventClient> ConnectAsync(Uri baseAddress, Func<string> token, bool withPresence = false)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "/api/messaging"), options => options.AccessTokenProvider = () => Task.FromResult<string?>(token()))
            .WithAutomaticReconnect([TimeSpan.Zero, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)])
            .Build();
        var client = new EventClient(connection);
        foreach (var name in withPresence ? [.. EventNames, "presence.changed"] : EventNames)
        {
            connection.On<JsonElement>(name, payload =>
            {
                client._received.Enqueue((name, payload.Clone()));
                client._arrived.Release();
            });
        }

        await connection.StartAsync();
        return client;
    }

    /// <summary>Waits for an event matching the predicate (received before or after the call).</summary>
    public async Task<JsonElement> WaitForAsync(string name, Func<JsonElement, bool>? match = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            foreach (var (eventName, payload) in _received)
            {
                if (eventName == name && (match is null || match(payload)))
                {
                    return payload;
                }
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"No {name} event arrived; received: {string.Join(", ", _received.Select(r => r.Name))}");
            }

            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Asserts that nothing matching arrives within a short grace period.</summary>
    public async Task AssertNoneAsync(string name, Func<JsonElement, bool>? match = null, int graceMilliseconds = 300)
    {
        await Task.Delay(graceMilliseconds);
        Assert.DoesNotContain(_received, r => r.Name == name && (match is null || match(r.Payload)));
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        _arrived.Dispose();
    }
}
