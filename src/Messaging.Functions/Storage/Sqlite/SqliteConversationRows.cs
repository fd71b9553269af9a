using System.Text.Json;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Realtime;
using Microsoft.Data.Sqlite;
using static Messaging.Functions.Storage.Sqlite.SqliteValues;

namespace Messaging.Functions.Storage.Sqlite;

/// <summary>How a whole conversation aggregate maps to its <c>conversations</c> and <c>participants</c> rows.</summary>
internal static class SqliteConversationRows
{
    private const string ConversationColumns = "c.id, c.type, c.title, c.task_id, c.created_by, c.created_at, c.updated_at, c.version, c.membership_epoch, c.metadata";

    /// <summary>The conversation with every participant, or null.</summary>
    public static async Task<Conversation?> LoadAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string conversationId, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            $"SELECT {ConversationColumns} FROM conversations c WHERE c.id = $id", transaction, ("$id", conversationId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var id = reader.GetString(0);
        var type = (ConversationType)reader.GetInt32(1);
        var title = NullableString(reader, 2);
        var taskId = NullableString(reader, 3);
        var createdBy = reader.GetString(4);
        var createdAt = Timestamp(reader, 5);
        var updatedAt = Timestamp(reader, 6);
        var version = reader.GetInt64(7);
        var membershipEpoch = reader.GetInt64(8);
        var metadata = ReadMetadata(reader, 9);

        var participants = new List<Participant>();
        await using var members = connection.Command(
            """
            SELECT user_id, role, joined_at, last_read_message_id, last_read_sequence, last_read_at
            FROM participants WHERE conversation_id = $id ORDER BY joined_at, user_id
            """,
            transaction, ("$id", conversationId));
        await using var memberReader = await members.ExecuteReaderAsync(cancellationToken);
        while (await memberReader.ReadAsync(cancellationToken))
        {
            var watermark = memberReader.IsDBNull(3)
                ? null
                : new ReadWatermark(memberReader.GetString(3), memberReader.GetInt64(4), Timestamp(memberReader, 5));
            participants.Add(new Participant(memberReader.GetString(0), (ParticipantRole)memberReader.GetInt32(1), Timestamp(memberReader, 2), watermark));
        }

        return Conversation.Restore(id, type, title, taskId, createdBy, createdAt, updatedAt, participants, version, membershipEpoch, metadata);
    }

    /// <summary>Inserts a new conversation, its participants, and its <c>ConversationCreated</c> change.</summary>
    public static async Task InsertAsync(
        SqliteConnection connection, SqliteTransaction transaction, Conversation conversation, CancellationToken cancellationToken)
    {
        await using (var insert = connection.Command(
            """
            INSERT INTO conversations (id, type, title, task_id, direct_key, created_by, created_at, updated_at, version, metadata)
            VALUES ($id, $type, $title, $task, $direct, $by, $created, $updated, 0, $metadata)
            """,
            transaction,
            ("$id", conversation.Id), ("$type", (int)conversation.Type), ("$title", OrNull(conversation.Title)), ("$task", OrNull(conversation.TaskId)),
            ("$direct", OrNull(conversation.DirectKey)), ("$by", conversation.CreatedBy),
            ("$created", ToUnixMs(conversation.CreatedAt)), ("$updated", ToUnixMs(conversation.UpdatedAt)), ("$metadata", MetadataJson(conversation.Metadata))))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var participant in conversation.Participants)
        {
            await using var member = connection.Command(
                "INSERT INTO participants (conversation_id, user_id, role, joined_at) VALUES ($id, $user, $role, $joined)",
                transaction,
                ("$id", conversation.Id), ("$user", participant.UserId), ("$role", (int)participant.Role), ("$joined", ToUnixMs(participant.JoinedAt)));
            await member.ExecuteNonQueryAsync(cancellationToken);
        }

        await SqliteChangeLog.RecordAsync(connection, transaction, new ConversationCreated(conversation.Id), cancellationToken);
    }

    // Metadata (issue 16): a JSON object, NULL when empty.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static object MetadataJson(Metadata metadata) => metadata.Count == 0 ? DBNull.Value : JsonSerializer.Serialize(metadata.Values, Json);

    public static Metadata ReadMetadata(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? Metadata.Empty : Metadata.Restore(JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(ordinal), Json));
}
