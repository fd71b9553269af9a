using System.Collections.Concurrent;
using Messaging.Domain.Common;

namespace Messaging.Functions.Realtime;

/// <summary>Open hub connections per user, held to <see cref="MessagingLimits.MaxConnectionsPerUser"/>.</summary>
public sealed class HubConnectionCounter(MessagingLimits limits)
{
    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    public bool TryAdd(string userId)
    {
        while (true)
        {
            var current = _open.GetOrAdd(userId, 0);
            if (current >= limits.MaxConnectionsPerUser)
            {
                return false;
            }

            if (_open.TryUpdate(userId, current + 1, current))
            {
                return true;
            }
        }
    }

    public void Remove(string userId)
    {
        while (_open.TryGetValue(userId, out var current))
        {
            if (current <= 1 ? _open.TryRemove(new KeyValuePair<string, int>(userId, current)) : _open.TryUpdate(userId, current - 1, current))
            {
                return;
            }
        }
    }

    public int OpenConnections(string userId) => _open.GetValueOrDefault(userId);
}
