namespace Messaging.Domain.Presence;

/// <summary>A stored presence and the version it was read at, for a conditional save.</summary>
public sealed record VersionedPresence(PresenceState State, string Version);

/// <summary>A state to save if its record is still at <paramref name="ExpectedVersion"/> (null: if it does not exist yet).</summary>
public sealed record PresenceSave(PresenceState State, string? ExpectedVersion);

/// <summary>Where presence lives, shared by every instance of the app: one record per user, saved only if unchanged since read.</summary>
public interface IPresenceRepository
{
    Task<VersionedPresence?> GetAsync(string userId, CancellationToken cancellationToken);

    /// <summary>The users' records that exist; at most 100 ids.</summary>
    Task<IReadOnlyList<PresenceState>> GetManyAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken);

    /// <summary>Saves the state if its record is still at <paramref name="expectedVersion"/> (null: if it does not exist yet); false when another writer came first.</summary>
    Task<bool> TrySaveAsync(PresenceState state, string? expectedVersion, CancellationToken cancellationToken);

    /// <summary>
    /// Saves each state on its own condition, as <see cref="TrySaveAsync"/> does, in one write where the store can
    /// (one transaction on SQLite; bounded concurrent point writes on Cosmos DB); returns the users whose save succeeded.
    /// A refused save skips only its user.
    /// </summary>
    Task<IReadOnlySet<string>> TrySaveManyAsync(IReadOnlyList<PresenceSave> saves, CancellationToken cancellationToken);

    /// <summary>Users whose <see cref="PresenceState.NextCheckAt"/> is at or before <paramref name="now"/>, at most <paramref name="limit"/>, the most overdue first.</summary>
    Task<IReadOnlyList<string>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);
}

/// <summary>Asks the real-time service whether a connection still exists: true, false, or null when it cannot tell now.</summary>
public interface IConnectionLiveness
{
    Task<bool?> IsOpenAsync(string userId, string connectionId, CancellationToken cancellationToken);
}
