using System.Globalization;
using System.Text.Json;
using Messaging.Domain.Attachments;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Domain.Realtime;
using Microsoft.Data.Sqlite;
using static Messaging.Functions.Storage.Sqlite.SqliteValues;

namespace Messaging.Functions.Storage.Sqlite;

public sealed class SqliteMessageRepository(SqliteDatabase database) : IMessageRepository
{
    private const string Columns = "id, conversation_id, sender_id, sequence, text, attachments, client_message_id, created_at, edited_at, deleted_at";
    private static readonly JsonSerializerOptions AttachmentJson = new(JsonSerializerDefaults.Web);

    public Task<AppendOutcome> AppendAsync(Message message, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            if (message.ClientMessageId is not null)
            {
                var earlier = await QuerySingleAsync(
                    connection, transaction,
                    $"SELECT {Columns} FROM messages WHERE conversation_id = $c AND sender_id = $s AND client_message_id = $m",
                    cancellationToken, ("$c", message.ConversationId), ("$s", message.SenderId), ("$m", message.ClientMessageId));
                if (earlier is not null)
                {
                    return new AppendOutcome(AppendStatus.Duplicate, earlier);
                }
            }

            // Inside the write transaction nothing interleaves: the domain's rule, on every attachment as
            // committed now (the service checked it before, outside any transaction), then write.
            foreach (var attachment in message.Attachments)
            {
                var current = await SqliteAttachmentRepository.FindAsync(connection, transaction, attachment.Id, cancellationToken);
                if (current is null || !current.CanBeAttachedBy(message.SenderId, message.ConversationId).IsSuccess)
                {
                    return new AppendOutcome(AppendStatus.AttachmentUnavailable, null);
                }
            }

            long sequence;
            await using (var next = connection.Command(
                "UPDATE conversations SET last_sequence = last_sequence + 1, updated_at = max(updated_at, $at) WHERE id = $c RETURNING last_sequence",
                transaction, ("$c", message.ConversationId), ("$at", ToUnixMs(message.CreatedAt))))
            {
                if (await next.ExecuteScalarAsync(cancellationToken) is not long assigned)
                {
                    return new AppendOutcome(AppendStatus.ConversationMissing, null);
                }

                sequence = assigned;
            }

            foreach (var attachment in message.Attachments)
            {
                await using var claim = connection.Command(
                    "UPDATE attachments SET message_id = $m, conversation_id = $c WHERE id = $id",
                    transaction, ("$m", message.Id), ("$c", message.ConversationId), ("$id", attachment.Id));
                await claim.ExecuteNonQueryAsync(cancellationToken);
            }

            message.AssignSequence(sequence);
            await using var insert = connection.Command(
                $"INSERT INTO messages ({Columns}) VALUES ($id, $c, $s, $seq, $text, $att, $cmid, $created, NULL, NULL)",
                transaction,
                ("$id", message.Id), ("$c", message.ConversationId), ("$s", message.SenderId), ("$seq", sequence), ("$text", message.Text),
                ("$att", JsonSerializer.Serialize(message.Attachments, AttachmentJson)), ("$cmid", OrNull(message.ClientMessageId)), ("$created", ToUnixMs(message.CreatedAt)));
            await insert.ExecuteNonQueryAsync(cancellationToken);
            await SqliteChangeLog.RecordAsync(connection, transaction, new MessageCreated(message.ConversationId, message.Id), cancellationToken);
            return new AppendOutcome(AppendStatus.Created, message);
        }, cancellationToken);

    public Task<Message?> GetAsync(string messageId, CancellationToken cancellationToken) =>
        database.ReadAsync(connection => QuerySingleAsync(connection, null, $"SELECT {Columns} FROM messages WHERE id = $id", cancellationToken, ("$id", messageId)), cancellationToken);

    public Task<Message?> FindByClientMessageIdAsync(string conversationId, string senderId, string clientMessageId, CancellationToken cancellationToken) =>
        database.ReadAsync(
            connection => QuerySingleAsync(
                connection, null,
                $"SELECT {Columns} FROM messages WHERE conversation_id = $c AND sender_id = $s AND client_message_id = $m",
                cancellationToken, ("$c", conversationId), ("$s", senderId), ("$m", clientMessageId)),
            cancellationToken);

    public Task<Result<Page<Message>>> ListNewestFirstAsync(string conversationId, int limit, string? continuationToken, CancellationToken cancellationToken)
    {
        var before = long.MaxValue;
        if (continuationToken is not null
            && (!ContinuationToken.TryDecode(continuationToken, out var position)
                || !long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out before)))
        {
            return Task.FromResult<Result<Page<Message>>>(Error.Invalid("continuationToken", "The continuation token is not valid."));
        }

        return database.ReadAsync(async connection =>
        {
            var rows = await QueryAsync(
                connection,
                $"SELECT {Columns} FROM messages WHERE conversation_id = $c AND sequence < $before ORDER BY sequence DESC LIMIT $limit",
                cancellationToken, ("$c", conversationId), ("$before", before), ("$limit", limit + 1));
            var items = rows.Take(limit).ToList();
            var next = rows.Count > limit ? ContinuationToken.Encode(Invariant(items[^1].Sequence)) : null;
            return Result<Page<Message>>.Success(new Page<Message>(items, next));
        }, cancellationToken);
    }

    public Task<IReadOnlyList<Message>> ListAfterAsync(string conversationId, long afterSequence, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<Message>>(
            async connection => await QueryAsync(
                connection,
                $"SELECT {Columns} FROM messages WHERE conversation_id = $c AND sequence > $after ORDER BY sequence LIMIT $limit",
                cancellationToken, ("$c", conversationId), ("$after", afterSequence), ("$limit", limit)),
            cancellationToken);

    public Task<Message?> GetLatestAsync(string conversationId, CancellationToken cancellationToken) =>
        database.ReadAsync(
            connection => QuerySingleAsync(
                connection, null, $"SELECT {Columns} FROM messages WHERE conversation_id = $c ORDER BY sequence DESC LIMIT 1", cancellationToken, ("$c", conversationId)),
            cancellationToken);

    public Task<int> CountUnreadAsync(string conversationId, string userId, long afterSequence, CancellationToken cancellationToken) =>
        database.ReadAsync(async connection =>
        {
            await using var command = connection.Command(
                "SELECT count(*) FROM messages WHERE conversation_id = $c AND sequence > $after AND sender_id <> $u AND deleted_at IS NULL",
                null, ("$c", conversationId), ("$after", afterSequence), ("$u", userId));
            return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }, cancellationToken);

    public Task<IReadOnlyDictionary<string, int>> CountUnreadAsync(string userId, IReadOnlyCollection<Membership> memberships, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyDictionary<string, int>>(async connection =>
        {
            // One statement for all of the user's conversations; each count is a range scan of the
            // (conversation, sequence) index after the watermark, never a scan of history.
            var watermarks = memberships.ToDictionary(m => m.ConversationId, m => m.LastReadSequence, StringComparer.Ordinal);
            await using var command = connection.Command(
                """
                SELECT p.conversation_id, p.last_read_sequence,
                       (SELECT count(*) FROM messages m
                        WHERE m.conversation_id = p.conversation_id AND m.sequence > p.last_read_sequence
                          AND m.sender_id <> $u AND m.deleted_at IS NULL)
                FROM participants p WHERE p.user_id = $u
                """,
                null, ("$u", userId));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (watermarks.TryGetValue(reader.GetString(0), out var watermark) && watermark == reader.GetInt64(1))
                {
                    counts[reader.GetString(0)] = reader.GetInt32(2);
                }
            }

            // A watermark that moved since the memberships were read: count from the caller's position.
            foreach (var membership in memberships.Where(m => !counts.ContainsKey(m.ConversationId)))
            {
                counts[membership.ConversationId] = await CountUnreadAsync(membership.ConversationId, userId, membership.LastReadSequence, cancellationToken);
            }

            return counts;
        }, cancellationToken);

    public Task<IReadOnlyDictionary<string, int>?> CountUnreadForUserAsync(string userId, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyDictionary<string, int>?>(async connection =>
        {
            // The watermark is read in the same statement as the count, so no membership read goes before it.
            await using var command = connection.Command(
                """
                SELECT conversation_id, unread FROM (
                    SELECT p.conversation_id,
                           (SELECT count(*) FROM messages m
                            WHERE m.conversation_id = p.conversation_id AND m.sequence > p.last_read_sequence
                              AND m.sender_id <> $u AND m.deleted_at IS NULL) AS unread
                    FROM participants p WHERE p.user_id = $u)
                WHERE unread > 0
                """,
                null, ("$u", userId));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            while (await reader.ReadAsync(cancellationToken))
            {
                counts[reader.GetString(0)] = reader.GetInt32(1);
            }

            return counts;
        }, cancellationToken);

    public Task<UpdateStatus> UpdateAsync(Message message, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            // Only over a message that is not deleted: a delete wins over an edit, and the first tombstone stays.
            await using var update = connection.Command(
                "UPDATE messages SET text = $text, attachments = $att, edited_at = $edited, deleted_at = $deleted WHERE id = $id AND deleted_at IS NULL",
                transaction,
                ("$text", message.Text), ("$att", JsonSerializer.Serialize(message.Attachments, AttachmentJson)),
                ("$edited", ToUnixMsOrNull(message.EditedAt)), ("$deleted", ToUnixMsOrNull(message.DeletedAt)), ("$id", message.Id));
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return UpdateStatus.AlreadyDeleted;
            }

            if (message.IsDeleted)
            {
                // A tombstone loses its reactions and their counters too.
                await using var release = connection.Command(
                    "DELETE FROM attachments WHERE message_id = $id; DELETE FROM reactions WHERE message_id = $id; DELETE FROM reaction_counts WHERE message_id = $id;",
                    transaction, ("$id", message.Id));
                await release.ExecuteNonQueryAsync(cancellationToken);
            }

            CommittedChange change = message.IsDeleted ? new MessageDeleted(message.ConversationId, message.Id) : new MessageEdited(message.ConversationId, message.Id);
            await SqliteChangeLog.RecordAsync(connection, transaction, change, cancellationToken);
            return UpdateStatus.Saved;
        }, cancellationToken);

    private static async Task<Message?> QuerySingleAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = connection.Command(sql, transaction, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static async Task<List<Message>> QueryAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = connection.Command(sql, null, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var messages = new List<Message>();
        while (await reader.ReadAsync(cancellationToken))
        {
            messages.Add(Read(reader));
        }

        return messages;
    }

    private static Message Read(SqliteDataReader reader) =>
        Message.Restore(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            reader.GetInt64(3),
            reader.GetString(4),
            JsonSerializer.Deserialize<List<AttachmentInfo>>(reader.GetString(5), AttachmentJson) ?? [],
            NullableString(reader, 6),
            Timestamp(reader, 7),
            NullableTimestamp(reader, 8),
            NullableTimestamp(reader, 9));
}
