using System.Collections.Concurrent;
using Messaging.Domain.Presence;

namespace Messaging.Functions.Realtime;

/// <summary>
/// The standalone hub's open connections, as the presence sweeper asks about them: the hub runs in
/// this process, so it knows for sure. A connection recorded before a restart is gone.
/// </summary>
public sealed class HubConnectionLiveness : IConnectionLiveness
{
    private readonly ConcurrentDictionary<string, string> _open = new(StringComparer.Ordinal);

    public void Opened(string userId, string connectionId) => _open[connectionId] = userId;

    public void Closed(string connectionId) => _open.TryRemove(connectionId, out _);

    public Task<bool?> IsOpenAsync(string userId, string connectionId, CancellationToken cancellationToken) =>
        Task.FromResult<bool?>(_open.TryGetValue(connectionId, out var owner) && owner == userId);
}

/// <summary>For a host without real time: no connection is ever open.</summary>
public sealed class NoConnectionLiveness : IConnectionLiveness
{
    public Task<bool?> IsOpenAsync(string userId, string connectionId, CancellationToken cancellationToken) => Task.FromResult<bool?>(false);
}
