namespace Messaging.Domain.Presence;

/// <summary>A stored presence and the version it was read at, for a conditional save.</summary>
public sealed record VersionedPresence(PresenceState State, string Version);

/// <summary>Where presence lives, shared by every instance of the app: one record per user, saved only if unchanged since read.</summary>
public interface IPresenceRepository
{
    Task<VersionedPresence?> GetAsync(string userId, CancellationToken cancellationToken);

    /// <summary>The users' records that exist; at most 100 ids.</summary>
    Task<IReadOnlyList<PresenceState>> GetManyAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken);

    /// <summary>Saves the state if its record is still at <paramref name="expectedVersion"/> (null: if it does not exist yet); false when another writer came first.</summary>
    Task<bool> TrySaveAsync(PresenceState state, string? expectedVersion, CancellationToken cancellationToken);

    /// <summary>Users whose <see cref="PresenceState.NextCheckAt"/> is at or before <paramref name="now"/>, at most <paramref name="limit"/>, the most overdue first.</summary>
    Task<IReadOnlyList<string>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);
}

/// <summary>Asks the real-time service whether a connection still exists: true, false, or null when it cannot tell now.</summary>
public interface IConnectionLiveness
{
    Task<bool?> IsOpenAsync(string userId, string connectionId, CancellationToken cancellationToken);
}
