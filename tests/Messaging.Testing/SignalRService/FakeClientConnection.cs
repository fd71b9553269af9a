using System.Collections.Concurrent;
using System.Text.Json;

namespace Messaging.Testing.SignalRService;

/// <summary>One client connection of the fake service: what it received, in order.</summary>
public sealed class FakeClientConnection(string connectionId, string userId)
{
    private readonly ConcurrentQueue<(string Target, JsonElement Argument)> _received = new();

    public string ConnectionId { get; } = connectionId;

    public string UserId { get; } = userId;

    /// <summary>The status the app answered to the upstream <c>connected</c> event.</summary>
    public int? ConnectedStatus { get; set; }

    /// <summary>The status the app answered to the upstream <c>disconnected</c> event, when it was told.</summary>
    public int? DisconnectedStatus { get; set; }

    public IReadOnlyList<(string Target, JsonElement Argument)> Received => [.. _received];

    public void Deliver(string target, JsonElement argument) => _received.Enqueue((target, argument.Clone()));

    public async Task<JsonElement> WaitForAsync(string target, Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            foreach (var (t, argument) in _received)
            {
                if (t == target && match(argument))
                {
                    return argument;
                }
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"Connection of {UserId} received no matching {target}. Received: {string.Join(", ", _received.Select(r => r.Target))}");
    }
}
