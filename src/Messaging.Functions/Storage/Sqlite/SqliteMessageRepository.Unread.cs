using System.Globalization;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Microsoft.Data.Sqlite;

namespace Messaging.Functions.Storage.Sqlite;

/// <summary>
/// Unread counts, each with its mention count from the same statement: a range of the covering unread index
/// after the watermark, and a range of the mention rows (user, conversation, sequence) after it.
/// </summary>
public sealed partial class SqliteMessageRepository
{
    internal const string UnreadCount = """
        (SELECT count(*) FROM messages m
         WHERE m.conversation_id = p.conversation_id AND m.sequence > p.last_read_sequence
           AND m.sender_id <> $u AND m.deleted_at IS NULL)
        """;

    internal const string MentionCount = """
        (SELECT count(*) FROM mentions x
         WHERE x.user_id = $u AND x.conversation_id = p.conversation_id AND x.sequence > p.last_read_sequence)
        """;

    public Task<int> CountUnreadAsync(string conversationId, string userId, long afterSequence, CancellationToken cancellationToken) =>
        database.ReadAsync(async connection =>
        {
            await using var command = connection.Command(
                "SELECT count(*) FROM messages WHERE conversation_id = $c AND sequence > $after AND sender_id <> $u AND deleted_at IS NULL",
                null, ("$c", conversationId), ("$after", afterSequence), ("$u", userId));
            return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }, cancellationToken);

    public Task<IReadOnlyDictionary<string, UnreadCounts>> CountUnreadAsync(string userId, IReadOnlyCollection<Membership> memberships, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyDictionary<string, UnreadCounts>>(async connection =>
        {
            // One statement for all of the user's conversations; each count is a range scan of an index after the
            // watermark, never a scan of history.
            var watermarks = memberships.ToDictionary(m => m.ConversationId, m => m.LastReadSequence, StringComparer.Ordinal);
            var counts = new Dictionary<string, UnreadCounts>(StringComparer.Ordinal);
            await using (var command = connection.Command(
                $"SELECT p.conversation_id, p.last_read_sequence, {UnreadCount}, {MentionCount} FROM participants p WHERE p.user_id = $u",
                null, ("$u", userId)))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    if (watermarks.TryGetValue(reader.GetString(0), out var watermark) && watermark == reader.GetInt64(1))
                    {
                        counts[reader.GetString(0)] = new UnreadCounts(reader.GetInt32(2), reader.GetInt32(3));
                    }
                }
            }

            // A watermark that moved since the memberships were read: count from the caller's position.
            foreach (var membership in memberships.Where(m => !counts.ContainsKey(m.ConversationId)))
            {
                counts[membership.ConversationId] = await CountFromAsync(connection, membership, userId, cancellationToken);
            }

            return counts;
        }, cancellationToken);

    public Task<IReadOnlyDictionary<string, UnreadCounts>?> CountUnreadForUserAsync(string userId, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyDictionary<string, UnreadCounts>?>(async connection =>
        {
            // The watermark is read in the same statement as both counts, so no membership read goes before it.
            // Zeros are skipped here, not in SQL: SQLite flattens an outer "WHERE unread > 0" into a second
            // evaluation of the correlated count (EXPLAIN QUERY PLAN shows it twice), half again the cost.
            await using var command = connection.Command(
                $"SELECT p.conversation_id, {UnreadCount}, {MentionCount} FROM participants p WHERE p.user_id = $u",
                null, ("$u", userId));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var counts = new Dictionary<string, UnreadCounts>(StringComparer.Ordinal);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (reader.GetInt32(1) is > 0 and var unread)
                {
                    counts[reader.GetString(0)] = new UnreadCounts(unread, reader.GetInt32(2));
                }
            }

            return counts;
        }, cancellationToken);

    private static async Task<UnreadCounts> CountFromAsync(SqliteConnection connection, Membership membership, string userId, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            $"SELECT {UnreadCount}, {MentionCount} FROM (SELECT $c AS conversation_id, $after AS last_read_sequence) p",
            null, ("$c", membership.ConversationId), ("$after", membership.LastReadSequence), ("$u", userId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new UnreadCounts(reader.GetInt32(0), reader.GetInt32(1));
    }
}
