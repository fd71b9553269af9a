namespace Messaging.Domain.Presence;

/// <summary>One open real-time connection of a user, believed open until <see cref="Until"/>, then checked with the service.</summary>
public sealed record ConnectionLease(string ConnectionId, DateTimeOffset Until);

/// <summary>
/// A user's presence as stored: the connections believed open, when the last one closed, and the
/// status last announced. The rules live here, so every store and every real-time path share them:
/// a user is announced online on their first connection, and offline only once they have had no
/// connection for <see cref="OfflineGrace"/>, so a reconnect within it announces nothing.
/// <see cref="Closed"/> holds the ids of connections whose <c>disconnected</c> came before their
/// <c>connected</c> (Azure SignalR Service's upstream events are separate invocations, in any order),
/// each until its <c>Until</c>, so that the late <c>connected</c> is ignored.
/// </summary>
public sealed record PresenceState(
    string UserId,
    IReadOnlyList<ConnectionLease> Connections,
    DateTimeOffset? LastSeenAt,
    bool AnnouncedOnline,
    DateTimeOffset? OfflineDueAt,
    IReadOnlyList<ConnectionLease> Closed)
{
    public static readonly TimeSpan OfflineGrace = TimeSpan.FromSeconds(10);

    /// <summary>How long a connection is believed open without news, at least; then the sweeper asks whether it still exists (a missed <c>disconnected</c>).</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    /// <summary>A lease is <see cref="Lease"/> plus up to this fraction of it, chosen at random, so that leases made together (a reconnect storm) do not fall due together.</summary>
    public const double LeaseJitter = 0.2;

    /// <summary>The longest lease: every lease has fallen due this long after it was made or renewed.</summary>
    public static readonly TimeSpan MaxLease = Lease * (1 + LeaseJitter);

    /// <summary>How long a connection closed before it was seen open is remembered.</summary>
    public static readonly TimeSpan ClosedMemory = TimeSpan.FromMinutes(2);

    /// <summary>Connections kept per user; past it the one whose lease ends first is dropped (its liveness is checked no more).</summary>
    public const int MaxConnections = 100;

    /// <summary>Closed-before-seen connections kept per user; past it the oldest is forgotten.</summary>
    public const int MaxClosed = 20;

    public static PresenceState New(string userId) => new(userId, [], null, false, null, []);

    public bool IsOnline => AnnouncedOnline;

    /// <summary>When the sweeper must look at this user again: the offline grace ends, or a lease does; null when nothing is pending.</summary>
    public DateTimeOffset? NextCheckAt
    {
        get
        {
            DateTimeOffset? next = Connections.Count > 0 ? Connections.Min(c => c.Until) : null;
            if (OfflineDueAt is { } due && (next is null || due < next))
            {
                next = due;
            }

            return next;
        }
    }

    /// <summary>
    /// A connection opened, believed open for <paramref name="lease"/>; <c>announce</c> is true when the user was not announced online.
    /// A connection already reported closed changes nothing.
    /// </summary>
    public (PresenceState State, bool Announce) Connect(string connectionId, DateTimeOffset now, TimeSpan lease)
    {
        if (Closed.Any(c => c.ConnectionId == connectionId && c.Until > now))
        {
            return (this, false);
        }

        var connections = Connections.Where(c => c.ConnectionId != connectionId).Append(new ConnectionLease(connectionId, now + lease))
            .OrderByDescending(c => c.Until).Take(MaxConnections).ToList();
        return (this with { Connections = connections, AnnouncedOnline = true, OfflineDueAt = null }, !AnnouncedOnline);
    }

    /// <summary>
    /// A connection closed (or was found gone); the last one starts the offline grace. A connection not
    /// (yet) known is remembered as closed for <see cref="ClosedMemory"/>, in case its <c>connected</c> comes late.
    /// </summary>
    public PresenceState Disconnect(string connectionId, DateTimeOffset now)
    {
        if (Connections.All(c => c.ConnectionId != connectionId))
        {
            return Closed.Any(c => c.ConnectionId == connectionId)
                ? this
                : this with
                {
                    Closed = [.. Closed.Where(c => c.Until > now).Append(new ConnectionLease(connectionId, now + ClosedMemory))
                        .OrderByDescending(c => c.Until).Take(MaxClosed)],
                };
        }

        var connections = Connections.Where(c => c.ConnectionId != connectionId).ToList();
        return connections.Count > 0
            ? this with { Connections = connections }
            : this with { Connections = connections, LastSeenAt = now, OfflineDueAt = AnnouncedOnline ? now + OfflineGrace : null };
    }

    /// <summary>The connection is still open: its lease starts again.</summary>
    public PresenceState Renew(string connectionId, DateTimeOffset until) =>
        this with { Connections = [.. Connections.Select(c => c.ConnectionId == connectionId ? c with { Until = until } : c)] };

    /// <summary>Ends the grace when it is over: <c>announce</c> is true when the user is now offline and was announced online.</summary>
    public (PresenceState State, bool Announce) Settle(DateTimeOffset now) =>
        Connections.Count == 0 && AnnouncedOnline && OfflineDueAt is { } due && due <= now
            ? (this with { AnnouncedOnline = false, OfflineDueAt = null }, true)
            : (this, false);
}
