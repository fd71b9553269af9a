using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Microsoft.Data.Sqlite;
using static Messaging.Functions.Storage.Sqlite.SqliteValues;

namespace Messaging.Functions.Storage.Sqlite;

/// <summary>
/// The reads whose cost does not grow with the group: a conversation's view (its row with the viewer's
/// place and the participant count, then at most 20 participants from the ranking index), one
/// participant (the primary key), and the participant list keyset-paged on the join-order index.
/// </summary>
internal static class SqliteConversationReads
{
    private const string ParticipantColumns = "user_id, role, joined_at, last_read_message_id, last_read_sequence, last_read_at";

    public static async Task<ConversationView?> ViewAsync(SqliteConnection connection, string conversationId, string? viewerId, CancellationToken cancellationToken)
    {
        ConversationView view;
        await using (var command = connection.Command(
            """
            SELECT c.id, c.type, c.title, c.task_id, c.created_by, c.created_at, c.updated_at, c.membership_epoch,
                   (SELECT count(*) FROM participants n WHERE n.conversation_id = c.id),
                   p.user_id, p.role, p.joined_at, p.last_read_message_id, p.last_read_sequence, p.last_read_at, c.metadata
            FROM conversations c LEFT JOIN participants p ON p.conversation_id = c.id AND p.user_id = $viewer
            WHERE c.id = $id
            """,
            null, ("$id", conversationId), ("$viewer", OrNull(viewerId))))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            var viewer = reader.IsDBNull(9) ? null : ReadParticipant(reader, 9);
            if (viewerId is not null && viewer is null)
            {
                return null;
            }

            view = new ConversationView(
                reader.GetString(0), (ConversationType)reader.GetInt32(1), NullableString(reader, 2), NullableString(reader, 3), reader.GetString(4),
                Timestamp(reader, 5), Timestamp(reader, 6), reader.GetInt64(7), reader.GetInt32(8), [], viewer)
            {
                Metadata = SqliteConversationRows.ReadMetadata(reader, 15),
            };
        }

        // Owners (role 0) first, then by join: served by the (conversation_id, role, joined_at, user_id) index, 20 rows at most.
        var leading = await ParticipantsAsync(
            connection,
            $"SELECT {ParticipantColumns} FROM participants WHERE conversation_id = $id ORDER BY role, joined_at, user_id LIMIT $n",
            cancellationToken, ("$id", conversationId), ("$n", ConversationView.MaxListed));
        return view with { Leading = leading };
    }

    public static async Task<Participant?> ParticipantAsync(SqliteConnection connection, string conversationId, string userId, CancellationToken cancellationToken)
    {
        var found = await ParticipantsAsync(
            connection, $"SELECT {ParticipantColumns} FROM participants WHERE conversation_id = $id AND user_id = $user", cancellationToken, ("$id", conversationId), ("$user", userId));
        return found.Count == 1 ? found[0] : null;
    }

    public static async Task<Page<Participant>> ParticipantPageAsync(
        SqliteConnection connection, string conversationId, int limit, (long JoinedAt, string UserId)? after, CancellationToken cancellationToken)
    {
        var rows = after is { } position
            ? await ParticipantsAsync(
                connection,
                $"""
                SELECT {ParticipantColumns} FROM participants
                WHERE conversation_id = $id AND (joined_at > $at OR (joined_at = $at AND user_id > $user))
                ORDER BY joined_at, user_id LIMIT $n
                """,
                cancellationToken, ("$id", conversationId), ("$at", position.JoinedAt), ("$user", position.UserId), ("$n", limit + 1))
            : await ParticipantsAsync(
                connection,
                $"SELECT {ParticipantColumns} FROM participants WHERE conversation_id = $id ORDER BY joined_at, user_id LIMIT $n",
                cancellationToken, ("$id", conversationId), ("$n", limit + 1));
        var items = rows.Take(limit).ToList();
        return new Page<Participant>(items, rows.Count > limit ? ParticipantKeyset.After(items[^1]) : null);
    }

    /// <summary>The latest readers of a sequence (other than one user) and their count: two reads of the conversation's participant rows, bounded by the group's size limit.</summary>
    public static async Task<(IReadOnlyList<Participant> Readers, int Count)> ReadersAsync(
        SqliteConnection connection, string conversationId, long sequence, string exceptUserId, int limit, CancellationToken cancellationToken)
    {
        const string Readers = "FROM participants WHERE conversation_id = $id AND user_id <> $except AND last_read_message_id IS NOT NULL AND last_read_sequence >= $s";
        (string, object?)[] parameters = [("$id", conversationId), ("$except", exceptUserId), ("$s", sequence), ("$n", limit)];
        var latest = await ParticipantsAsync(connection, $"SELECT {ParticipantColumns} {Readers} ORDER BY last_read_at DESC, user_id LIMIT $n", cancellationToken, parameters);
        await using var count = connection.Command($"SELECT count(*) {Readers}", null, parameters[..3]);
        return (latest, Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<List<Participant>> ParticipantsAsync(
        SqliteConnection connection, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = connection.Command(sql, null, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var participants = new List<Participant>();
        while (await reader.ReadAsync(cancellationToken))
        {
            participants.Add(ReadParticipant(reader, 0));
        }

        return participants;
    }

    private static Participant ReadParticipant(SqliteDataReader reader, int first)
    {
        var watermark = reader.IsDBNull(first + 3)
            ? null
            : new ReadWatermark(reader.GetString(first + 3), reader.GetInt64(first + 4), Timestamp(reader, first + 5));
        return new Participant(reader.GetString(first), (ParticipantRole)reader.GetInt32(first + 1), Timestamp(reader, first + 2), watermark);
    }
}
