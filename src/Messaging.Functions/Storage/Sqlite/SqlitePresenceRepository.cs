using System.Globalization;
using System.Text.Json;
using Messaging.Domain.Presence;
using Microsoft.Data.Sqlite;
using static Messaging.Functions.Storage.Sqlite.SqliteValues;

namespace Messaging.Functions.Storage.Sqlite;

/// <summary>
/// Presence in the embedded database: one row per user, its open connections (and those closed before
/// they were seen open) as JSON, saved only at the version read. A batch of saves is one write
/// transaction, so a sweep holds the single writer once, not once per user.
/// </summary>
public sealed class SqlitePresenceRepository(SqliteDatabase database) : IPresenceRepository
{
    private const string Columns = "user_id, connections, last_seen_at, announced_online, offline_due_at, version, closed";

    public Task<VersionedPresence?> GetAsync(string userId, CancellationToken cancellationToken) =>
        database.ReadAsync(async connection =>
        {
            await using var command = connection.Command($"SELECT {Columns} FROM presence WHERE user_id = $u", null, ("$u", userId));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken)
                ? new VersionedPresence(Read(reader), reader.GetInt64(5).ToString(CultureInfo.InvariantCulture))
                : null;
        }, cancellationToken);

    public Task<IReadOnlyList<PresenceState>> GetManyAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<PresenceState>>(async connection =>
        {
            var found = new List<PresenceState>(userIds.Count);
            foreach (var userId in userIds)
            {
                await using var command = connection.Command($"SELECT {Columns} FROM presence WHERE user_id = $u", null, ("$u", userId));
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                if (await reader.ReadAsync(cancellationToken))
                {
                    found.Add(Read(reader));
                }
            }

            return found;
        }, cancellationToken);

    public Task<bool> TrySaveAsync(PresenceState state, string? expectedVersion, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) => SaveAsync(connection, transaction, state, expectedVersion, cancellationToken), cancellationToken, notify: false);

    public Task<IReadOnlySet<string>> TrySaveManyAsync(IReadOnlyList<PresenceSave> saves, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlySet<string>>(async (connection, transaction) =>
        {
            var saved = new HashSet<string>(StringComparer.Ordinal);
            foreach (var save in saves)
            {
                if (await SaveAsync(connection, transaction, save.State, save.ExpectedVersion, cancellationToken))
                {
                    saved.Add(save.State.UserId);
                }
            }

            return saved;
        }, cancellationToken, notify: false);

    public Task<IReadOnlyList<string>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<string>>(async connection =>
        {
            await using var command = connection.Command(
                "SELECT user_id FROM presence WHERE next_check_at IS NOT NULL AND next_check_at <= $now ORDER BY next_check_at LIMIT $limit",
                null, ("$now", ToUnixMs(now)), ("$limit", limit));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var due = new List<string>();
            while (await reader.ReadAsync(cancellationToken))
            {
                due.Add(reader.GetString(0));
            }

            return due;
        }, cancellationToken);

    private static async Task<bool> SaveAsync(
        SqliteConnection connection, SqliteTransaction transaction, PresenceState state, string? expectedVersion, CancellationToken cancellationToken)
    {
        (string, object?)[] values =
        [
            ("$u", state.UserId),
            ("$c", Leases(state.Connections)),
            ("$seen", ToUnixMsOrNull(state.LastSeenAt)),
            ("$online", state.AnnouncedOnline ? 1 : 0),
            ("$due", ToUnixMsOrNull(state.OfflineDueAt)),
            ("$next", ToUnixMsOrNull(state.NextCheckAt)),
            ("$closed", Leases(state.Closed)),
            ("$v", expectedVersion is null ? 0L : long.Parse(expectedVersion, CultureInfo.InvariantCulture)),
        ];
        var sql = expectedVersion is null
            ? "INSERT INTO presence (user_id, connections, last_seen_at, announced_online, offline_due_at, next_check_at, closed, version) "
              + "VALUES ($u, $c, $seen, $online, $due, $next, $closed, 1) ON CONFLICT (user_id) DO NOTHING"
            : "UPDATE presence SET connections = $c, last_seen_at = $seen, announced_online = $online, offline_due_at = $due, "
              + "next_check_at = $next, closed = $closed, version = version + 1 WHERE user_id = $u AND version = $v";
        await using var command = connection.Command(sql, transaction, values);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static string Leases(IEnumerable<ConnectionLease> leases) =>
        JsonSerializer.Serialize(leases.Select(c => new StoredLease(c.ConnectionId, ToUnixMs(c.Until))));

    private static ConnectionLease[] Leases(string json) =>
        [.. JsonSerializer.Deserialize<StoredLease[]>(json)!.Select(l => new ConnectionLease(l.Id, DateTimeOffset.FromUnixTimeMilliseconds(l.Until)))];

    private static PresenceState Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        Leases(reader.GetString(1)),
        NullableTimestamp(reader, 2),
        reader.GetInt64(3) == 1,
        NullableTimestamp(reader, 4),
        Leases(reader.GetString(6)));

    private sealed record StoredLease(string Id, long Until);
}
