using System.Text.Json;
using Messaging.Domain.Attachments;
using Messaging.Domain.Common;
using Messaging.Domain.Messages;
using Microsoft.Data.Sqlite;
using static Messaging.Functions.Storage.Sqlite.SqliteValues;

namespace Messaging.Functions.Storage.Sqlite;

/// <summary>Message rows: the columns read, how a row becomes a message (with its parent's preview), its mention rows and its parent's reply counter.</summary>
public sealed partial class SqliteMessageRepository
{
    private const string InsertColumns =
        "id, conversation_id, sender_id, sequence, text, attachments, client_message_id, created_at, edited_at, deleted_at, reply_to_id, reply_count, mentions, metadata";

    // The parent's preview comes from a point lookup of the parent's primary key; "messages" in the subquery is the outer row.
    // The CASE keeps the subquery from running at all for the messages that answer nothing, which are most of them.
    private const string Columns =
        InsertColumns + ", CASE WHEN messages.reply_to_id IS NULL THEN NULL ELSE (SELECT json_array(r.sender_id, r.text, r.deleted_at) FROM messages r WHERE r.id = messages.reply_to_id) END";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

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
            ReadAttachments(reader),
            NullableString(reader, 6),
            Timestamp(reader, 7),
            NullableTimestamp(reader, 8),
            NullableTimestamp(reader, 9),
            new MessageAddenda(
                NullableString(reader, 10),
                ReadPreview(reader),
                reader.GetInt32(11),
                reader.IsDBNull(12) ? [] : JsonSerializer.Deserialize<List<string>>(reader.GetString(12), Json),
                reader.IsDBNull(13) ? Metadata.Empty : Metadata.Restore(JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(13), Json))));

    // Most messages carry none: "[]" is not handed to the JSON parser.
    private static IReadOnlyList<AttachmentInfo> ReadAttachments(SqliteDataReader reader)
    {
        var json = reader.GetString(5);
        return json == "[]" ? [] : JsonSerializer.Deserialize<List<AttachmentInfo>>(json, Json) ?? [];
    }

    // The parent's sender, text and deletion time, read with the reply (column 14, a JSON array), so its preview is current.
    private static ReplyPreview? ReadPreview(SqliteDataReader reader)
    {
        if (reader.IsDBNull(10) || reader.IsDBNull(14))
        {
            return null;
        }

        var parent = JsonSerializer.Deserialize<JsonElement[]>(reader.GetString(14), Json)!;
        DateTimeOffset? deletedAt = parent[2].ValueKind == JsonValueKind.Number ? DateTimeOffset.FromUnixTimeMilliseconds(parent[2].GetInt64()) : null;
        return ReplyPreview.Of(reader.GetString(10), parent[0].GetString()!, parent[1].GetString()!, deletedAt);
    }

    private static object MentionsJson(Message message) => message.Mentions.Count == 0 ? DBNull.Value : JsonSerializer.Serialize(message.Mentions, Json);

    private static object MetadataJson(Metadata metadata) => metadata.Count == 0 ? DBNull.Value : JsonSerializer.Serialize(metadata.Values, Json);

    /// <summary>Counts the reply on its parent, only when the parent is a live message of the same conversation.</summary>
    private static async Task<bool> CountReplyAsync(SqliteConnection connection, SqliteTransaction transaction, Message reply, CancellationToken cancellationToken)
    {
        await using var count = connection.Command(
            "UPDATE messages SET reply_count = reply_count + 1 WHERE id = $p AND conversation_id = $c AND deleted_at IS NULL",
            transaction, ("$p", reply.ReplyToId), ("$c", reply.ConversationId));
        return await count.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    // A mention row per mentioned user other than the sender: the sender's own messages are never unread to them.
    private static async Task InsertMentionRowsAsync(SqliteConnection connection, SqliteTransaction transaction, Message message, CancellationToken cancellationToken)
    {
        foreach (var userId in message.Mentions.Where(u => u != message.SenderId))
        {
            await using var insert = connection.Command(
                "INSERT OR IGNORE INTO mentions (user_id, conversation_id, sequence, message_id) VALUES ($u, $c, $s, $m)",
                transaction, ("$u", userId), ("$c", message.ConversationId), ("$s", message.Sequence), ("$m", message.Id));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task ReplaceMentionRowsAsync(SqliteConnection connection, SqliteTransaction transaction, Message message, CancellationToken cancellationToken)
    {
        await using (var delete = connection.Command("DELETE FROM mentions WHERE message_id = $m", transaction, ("$m", message.Id)))
        {
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await InsertMentionRowsAsync(connection, transaction, message, cancellationToken);
    }
}
