using System.Globalization;
using System.Text.Json;
using Messaging.Domain.Common;
using Messaging.Domain.Messages;
using Messaging.Domain.Realtime;
using static Messaging.Functions.Storage.Sqlite.SqliteValues;

namespace Messaging.Functions.Storage.Sqlite;

public sealed partial class SqliteMessageRepository(SqliteDatabase database) : IMessageRepository
{
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

            if (message.ReplyToId is not null && !await CountReplyAsync(connection, transaction, message, cancellationToken))
            {
                return new AppendOutcome(AppendStatus.ReplyTargetUnavailable, null);
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
                $"INSERT INTO messages ({InsertColumns}) VALUES ($id, $c, $s, $seq, $text, $att, $cmid, $created, NULL, NULL, $reply, 0, $mentions, $metadata)",
                transaction,
                ("$id", message.Id), ("$c", message.ConversationId), ("$s", message.SenderId), ("$seq", sequence), ("$text", message.Text),
                ("$att", JsonSerializer.Serialize(message.Attachments, Json)), ("$cmid", OrNull(message.ClientMessageId)), ("$created", ToUnixMs(message.CreatedAt)),
                ("$reply", OrNull(message.ReplyToId)), ("$mentions", MentionsJson(message)), ("$metadata", MetadataJson(message.Metadata)));
            await insert.ExecuteNonQueryAsync(cancellationToken);
            await InsertMentionRowsAsync(connection, transaction, message, cancellationToken);
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

    public Task<Result<Page<Message>>> ListRepliesAsync(string conversationId, string parentId, int limit, string? continuationToken, CancellationToken cancellationToken)
    {
        var after = 0L;
        if (continuationToken is not null
            && (!ContinuationToken.TryDecode(continuationToken, out var position)
                || !long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out after)))
        {
            return Task.FromResult<Result<Page<Message>>>(Error.Invalid("continuationToken", "The continuation token is not valid."));
        }

        return database.ReadAsync(async connection =>
        {
            // The partial index (conversation_id, reply_to_id, sequence) serves it: the parent's replies only, never the history.
            var rows = await QueryAsync(
                connection,
                $"""
                SELECT {Columns} FROM messages
                WHERE conversation_id = $c AND reply_to_id = $p AND sequence > $after AND deleted_at IS NULL
                ORDER BY sequence LIMIT $limit
                """,
                cancellationToken, ("$c", conversationId), ("$p", parentId), ("$after", after), ("$limit", limit + 1));
            var items = rows.Take(limit).ToList();
            var next = rows.Count > limit ? ContinuationToken.Encode(Invariant(items[^1].Sequence)) : null;
            return Result<Page<Message>>.Success(new Page<Message>(items, next));
        }, cancellationToken);
    }

    public Task<UpdateStatus> UpdateAsync(Message message, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            // Only over a message that is not deleted: a delete wins over an edit, and the first tombstone stays.
            await using var update = connection.Command(
                """
                UPDATE messages SET text = $text, attachments = $att, edited_at = $edited, deleted_at = $deleted, mentions = $mentions, metadata = $metadata
                WHERE id = $id AND deleted_at IS NULL
                """,
                transaction,
                ("$text", message.Text), ("$att", JsonSerializer.Serialize(message.Attachments, Json)),
                ("$edited", ToUnixMsOrNull(message.EditedAt)), ("$deleted", ToUnixMsOrNull(message.DeletedAt)), ("$id", message.Id),
                ("$mentions", MentionsJson(message)), ("$metadata", MetadataJson(message.Metadata)));
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return UpdateStatus.AlreadyDeleted;
            }

            await ReplaceMentionRowsAsync(connection, transaction, message, cancellationToken);
            if (message.IsDeleted && message.ReplyToId is not null)
            {
                // The parent counts live replies only; it keeps its counter even as a tombstone.
                await using var uncount = connection.Command(
                    "UPDATE messages SET reply_count = reply_count - 1 WHERE id = $p AND conversation_id = $c AND reply_count > 0",
                    transaction, ("$p", message.ReplyToId), ("$c", message.ConversationId));
                await uncount.ExecuteNonQueryAsync(cancellationToken);
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
}
