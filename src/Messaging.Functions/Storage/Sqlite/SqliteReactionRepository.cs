using System.Text.Json;
using Messaging.Domain.Messages;
using Messaging.Domain.Realtime;
using Microsoft.Data.Sqlite;
using static Messaging.Functions.Storage.Sqlite.SqliteValues;

namespace Messaging.Functions.Storage.Sqlite;

/// <summary>
/// Reactions of the embedded store: a row per (message, user, reaction) and a counter row per
/// distinct reaction, changed in the write transaction that records the change, which also
/// serialises the checks of the reactor's participation and of the distinct-reaction limit with every
/// other write.
/// </summary>
public sealed class SqliteReactionRepository(SqliteDatabase database) : IReactionRepository
{
    public Task<ReactionOutcome> AddAsync(Message message, string userId, Reaction reaction, int maxDistinct, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            if (!await IsParticipantAsync(connection, transaction, message.ConversationId, userId, cancellationToken))
            {
                return new ReactionOutcome(ReactionStatus.NotParticipant);
            }

            if (!await IsLiveAsync(connection, transaction, message.Id, cancellationToken))
            {
                return new ReactionOutcome(ReactionStatus.MessageDeleted);
            }

            await using (var mine = connection.Command(
                "SELECT 1 FROM reactions WHERE message_id = $m AND user_id = $u AND reaction = $r", transaction, ("$m", message.Id), ("$u", userId), ("$r", reaction.Value)))
            {
                if (await mine.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    return new ReactionOutcome(ReactionStatus.Unchanged, await CountAsync(connection, transaction, message.Id, reaction, cancellationToken));
                }
            }

            // At most maxDistinct counter rows per message: bounded, whatever the number of reactions given.
            await using (var distinct = connection.Command(
                "SELECT count(*), coalesce(max(reaction = $r), 0) FROM reaction_counts WHERE message_id = $m", transaction, ("$m", message.Id), ("$r", reaction.Value)))
            await using (var reader = await distinct.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                if (reader.GetInt64(1) == 0 && reader.GetInt64(0) >= maxDistinct)
                {
                    return new ReactionOutcome(ReactionStatus.TooManyDistinct);
                }
            }

            await using (var insert = connection.Command(
                "INSERT INTO reactions (message_id, user_id, reaction, created_at) VALUES ($m, $u, $r, $at)",
                transaction, ("$m", message.Id), ("$u", userId), ("$r", reaction.Value), ("$at", ToUnixMs(at))))
            {
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            int count;
            await using (var counter = connection.Command(
                """
                INSERT INTO reaction_counts (message_id, reaction, count, first_at) VALUES ($m, $r, 1, $at)
                ON CONFLICT (message_id, reaction) DO UPDATE SET count = count + 1 RETURNING count
                """,
                transaction, ("$m", message.Id), ("$r", reaction.Value), ("$at", ToUnixMs(at))))
            {
                count = Convert.ToInt32(await counter.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            }

            await SqliteChangeLog.RecordAsync(connection, transaction, new ReactionChanged(message.ConversationId, message.Id, userId, reaction.Value, count, Added: true), cancellationToken);
            return new ReactionOutcome(ReactionStatus.Changed, count);
        }, cancellationToken);

    public Task<ReactionOutcome> RemoveAsync(Message message, string userId, Reaction reaction, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            if (!await IsParticipantAsync(connection, transaction, message.ConversationId, userId, cancellationToken))
            {
                return new ReactionOutcome(ReactionStatus.NotParticipant);
            }

            await using (var delete = connection.Command(
                "DELETE FROM reactions WHERE message_id = $m AND user_id = $u AND reaction = $r", transaction, ("$m", message.Id), ("$u", userId), ("$r", reaction.Value)))
            {
                if (await delete.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    return new ReactionOutcome(ReactionStatus.Unchanged, await CountAsync(connection, transaction, message.Id, reaction, cancellationToken));
                }
            }

            // The last one takes the counter row with it, so a reaction nobody gives no longer counts towards the limit.
            await using (var counter = connection.Command(
                """
                UPDATE reaction_counts SET count = count - 1 WHERE message_id = $m AND reaction = $r;
                DELETE FROM reaction_counts WHERE message_id = $m AND reaction = $r AND count <= 0;
                """,
                transaction, ("$m", message.Id), ("$r", reaction.Value)))
            {
                await counter.ExecuteNonQueryAsync(cancellationToken);
            }

            var count = await CountAsync(connection, transaction, message.Id, reaction, cancellationToken);
            await SqliteChangeLog.RecordAsync(connection, transaction, new ReactionChanged(message.ConversationId, message.Id, userId, reaction.Value, count, Added: false), cancellationToken);
            return new ReactionOutcome(ReactionStatus.Changed, count);
        }, cancellationToken);

    public Task<IReadOnlyDictionary<string, MessageReactions>> GetAsync(
        string conversationId, IReadOnlyCollection<string> messageIds, string? viewerId, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyDictionary<string, MessageReactions>>(async connection =>
        {
            // One statement for the page: the counters of its messages, and the viewer's own rows (primary key lookups).
            await using var select = connection.Command(
                """
                SELECT message_id, reaction, count, first_at FROM reaction_counts WHERE message_id IN (SELECT value FROM json_each($ids))
                UNION ALL
                SELECT message_id, reaction, NULL, NULL FROM reactions WHERE $u IS NOT NULL AND user_id = $u AND message_id IN (SELECT value FROM json_each($ids))
                """,
                null, ("$ids", JsonSerializer.Serialize(messageIds)), ("$u", viewerId));
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            var counts = new Dictionary<string, List<ReactionCount>>(StringComparer.Ordinal);
            var mine = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            while (await reader.ReadAsync(cancellationToken))
            {
                var messageId = reader.GetString(0);
                if (reader.IsDBNull(2))
                {
                    Add(mine, messageId, reader.GetString(1));
                }
                else
                {
                    Add(counts, messageId, new ReactionCount(reader.GetString(1), reader.GetInt32(2), Timestamp(reader, 3)));
                }
            }

            return counts.Keys.Union(mine.Keys).ToDictionary(
                id => id,
                id => new MessageReactions(
                    MessageReactions.Order(counts.GetValueOrDefault(id) ?? []),
                    [.. (mine.GetValueOrDefault(id) ?? []).Order(StringComparer.Ordinal)]),
                StringComparer.Ordinal);
        }, cancellationToken);

    private static void Add<T>(Dictionary<string, List<T>> into, string key, T value)
    {
        if (!into.TryGetValue(key, out var list))
        {
            into[key] = list = [];
        }

        list.Add(value);
    }

    // Inside the write transaction, so a reaction and the reactor's removal are serialised: one that commits after the removal is refused.
    private static async Task<bool> IsParticipantAsync(SqliteConnection connection, SqliteTransaction transaction, string conversationId, string userId, CancellationToken cancellationToken)
    {
        await using var select = connection.Command(
            "SELECT 1 FROM participants WHERE conversation_id = $c AND user_id = $u", transaction, ("$c", conversationId), ("$u", userId));
        return await select.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static async Task<bool> IsLiveAsync(SqliteConnection connection, SqliteTransaction transaction, string messageId, CancellationToken cancellationToken)
    {
        await using var select = connection.Command("SELECT 1 FROM messages WHERE id = $m AND deleted_at IS NULL", transaction, ("$m", messageId));
        return await select.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static async Task<int> CountAsync(SqliteConnection connection, SqliteTransaction transaction, string messageId, Reaction reaction, CancellationToken cancellationToken)
    {
        await using var select = connection.Command(
            "SELECT coalesce((SELECT count FROM reaction_counts WHERE message_id = $m AND reaction = $r), 0)", transaction, ("$m", messageId), ("$r", reaction.Value));
        return Convert.ToInt32(await select.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}
