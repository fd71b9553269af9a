using System.Globalization;
using System.Text.Json;
using Messaging.Domain.Realtime;
using Microsoft.Data.Sqlite;

namespace Messaging.Functions.Storage.Sqlite;

/// <summary>
/// The outbox of the embedded store: repositories record each change in the same transaction as
/// the state it describes, so the fan-out sees exactly what was committed, in commit order.
/// </summary>
internal static class SqliteChangeLog
{
    public static async Task RecordAsync(SqliteConnection connection, SqliteTransaction transaction, CommittedChange change, CancellationToken cancellationToken)
    {
        (string Kind, string? Subject, string? Users, string? Detail) row = change switch
        {
            MessageCreated c => (Kinds.MessageCreated, c.MessageId, null, null),
            MessageEdited c => (Kinds.MessageEdited, c.MessageId, null, null),
            MessageDeleted c => (Kinds.MessageDeleted, c.MessageId, null, null),
            ReadWatermarkMoved c => (Kinds.Read, c.UserId, null, null),
            ConversationCreated => (Kinds.ConversationCreated, null, null, null),
            ConversationChanged c => (Kinds.ConversationChanged, null, JsonSerializer.Serialize(new[] { c.AddedUserIds, c.RemovedUserIds }), null),
            ConversationRemoved c => (Kinds.ConversationRemoved, null, JsonSerializer.Serialize(new[] { c.FormerParticipantIds }), null),
            ReactionChanged c => (c.Added ? Kinds.ReactionAdded : Kinds.ReactionRemoved, c.MessageId, null, JsonSerializer.Serialize(new ReactionDetail(c.UserId, c.Reaction, c.Count))),
            _ => throw new ArgumentOutOfRangeException(nameof(change), change.GetType().Name, "Unknown change."),
        };
        await using var insert = connection.Command(
            "INSERT INTO changes (kind, conversation_id, subject_id, user_ids, recorded_at, detail) VALUES ($kind, $c, $subject, $users, $at, $detail)",
            transaction, ("$kind", row.Kind), ("$c", change.ConversationId), ("$subject", row.Subject), ("$users", row.Users), ("$at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
            ("$detail", row.Detail));
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Changes after <paramref name="position"/>, in commit order, with when each was recorded (Unix ms; null before schema v3).</summary>
    public static async Task<IReadOnlyList<(long Position, CommittedChange Change, long? RecordedAt)>> ReadAfterAsync(SqliteConnection connection, long position, int limit, CancellationToken cancellationToken)
    {
        await using var select = connection.Command(
            "SELECT position, kind, conversation_id, subject_id, user_ids, recorded_at, detail FROM changes WHERE position > $p ORDER BY position LIMIT $limit",
            null, ("$p", position), ("$limit", limit));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var changes = new List<(long, CommittedChange, long?)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var conversation = reader.GetString(2);
            var subject = SqliteValues.NullableString(reader, 3);
            var users = SqliteValues.NullableString(reader, 4) is { } json ? JsonSerializer.Deserialize<string[][]>(json)! : [];
            CommittedChange change = reader.GetString(1) switch
            {
                Kinds.MessageCreated => new MessageCreated(conversation, subject!),
                Kinds.MessageEdited => new MessageEdited(conversation, subject!),
                Kinds.MessageDeleted => new MessageDeleted(conversation, subject!),
                Kinds.Read => new ReadWatermarkMoved(conversation, subject!),
                Kinds.ConversationCreated => new ConversationCreated(conversation),
                Kinds.ConversationChanged => new ConversationChanged(conversation, users[0], users[1]),
                Kinds.ConversationRemoved => new ConversationRemoved(conversation, users[0]),
                Kinds.ReactionAdded or Kinds.ReactionRemoved => ReadReaction(conversation, subject!, reader.GetString(6), reader.GetString(1) == Kinds.ReactionAdded),
                var kind => throw new InvalidOperationException($"Unknown change kind {kind} at position {reader.GetInt64(0).ToString(CultureInfo.InvariantCulture)}."),
            };
            changes.Add((reader.GetInt64(0), change, reader.IsDBNull(5) ? null : reader.GetInt64(5)));
        }

        return changes;
    }

    private static ReactionChanged ReadReaction(string conversationId, string messageId, string detail, bool added)
    {
        var reaction = JsonSerializer.Deserialize<ReactionDetail>(detail)!;
        return new ReactionChanged(conversationId, messageId, reaction.UserId, reaction.Reaction, reaction.Count, added);
    }

    /// <summary>The position of the last change published, as last saved.</summary>
    public static async Task<long> ReadCursorAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT position FROM change_cursor WHERE id = 1");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Moves the cursor to <paramref name="position"/> and deletes the changes up to it.</summary>
    public static async Task<int> SaveCursorAsync(SqliteConnection connection, SqliteTransaction transaction, long position, CancellationToken cancellationToken)
    {
        await using var save = connection.Command(
            "UPDATE change_cursor SET position = $p WHERE id = 1; DELETE FROM changes WHERE position <= $p;", transaction, ("$p", position));
        return await save.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// The <c>kind</c> column: the committed change, not the event it becomes (<c>messageEdited</c> fans out as
    /// <c>message.updated</c>). Stored names, the same as the Cosmos DB change records'; version 7 renamed the
    /// dotted ones of older builds.
    /// </summary>
    internal static class Kinds
    {
        public const string MessageCreated = "messageCreated";
        public const string MessageEdited = "messageEdited";
        public const string MessageDeleted = "messageDeleted";
        public const string Read = "read";
        public const string ConversationCreated = "conversationCreated";
        public const string ConversationChanged = "conversationChanged";
        public const string ConversationRemoved = "conversationRemoved";
        public const string ReactionAdded = "reactionAdded";
        public const string ReactionRemoved = "reactionRemoved";
    }

    private sealed record ReactionDetail(string UserId, string Reaction, int? Count);
}
