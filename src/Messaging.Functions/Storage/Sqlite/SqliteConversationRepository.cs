using System.Globalization;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Realtime;
using Microsoft.Data.Sqlite;
using static Messaging.Functions.Storage.Sqlite.SqliteValues;

namespace Messaging.Functions.Storage.Sqlite;

public sealed partial class SqliteConversationRepository(SqliteDatabase database) : IConversationRepository
{
    public Task<Conversation?> GetAsync(string conversationId, CancellationToken cancellationToken) =>
        database.ReadAsync(connection => SqliteConversationRows.LoadAsync(connection, null, conversationId, cancellationToken), cancellationToken);

    public Task<ConversationAudience?> GetAudienceAsync(string conversationId, CancellationToken cancellationToken) =>
        database.ReadAsync(async connection =>
        {
            await using var command = connection.Command(
                "SELECT c.membership_epoch, p.user_id FROM conversations c LEFT JOIN participants p ON p.conversation_id = c.id WHERE c.id = $id",
                null, ("$id", conversationId));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            long? epoch = null;
            var users = new List<string>();
            while (await reader.ReadAsync(cancellationToken))
            {
                epoch = reader.GetInt64(0);
                if (!reader.IsDBNull(1))
                {
                    users.Add(reader.GetString(1));
                }
            }

            return epoch is { } found ? new ConversationAudience(conversationId, found, users) : null;
        }, cancellationToken);

    public Task<ConversationView?> GetViewAsync(string conversationId, string? viewerId, CancellationToken cancellationToken) =>
        database.ReadAsync(connection => SqliteConversationReads.ViewAsync(connection, conversationId, viewerId, cancellationToken), cancellationToken);

    public Task<Participant?> GetParticipantAsync(string conversationId, string userId, CancellationToken cancellationToken) =>
        database.ReadAsync(connection => SqliteConversationReads.ParticipantAsync(connection, conversationId, userId, cancellationToken), cancellationToken);

    public Task<(IReadOnlyList<Participant> Readers, int Count)> ListReadersAsync(
        string conversationId, long sequence, string exceptUserId, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync(connection => SqliteConversationReads.ReadersAsync(connection, conversationId, sequence, exceptUserId, limit, cancellationToken), cancellationToken);

    public Task<Result<Page<Participant>>> ListParticipantsAsync(string conversationId, int limit, string? continuationToken, CancellationToken cancellationToken)
    {
        (long, string)? after = null;
        if (continuationToken is not null)
        {
            if (!ParticipantKeyset.TryDecode(continuationToken, out var joinedAt, out var userId))
            {
                return Task.FromResult<Result<Page<Participant>>>(Error.Invalid("continuationToken", "The continuation token is not valid."));
            }

            after = (joinedAt, userId);
        }

        return database.ReadAsync(
            async connection => Result<Page<Participant>>.Success(await SqliteConversationReads.ParticipantPageAsync(connection, conversationId, limit, after, cancellationToken)),
            cancellationToken);
    }

    public Task<Result<Page<ConversationView>>> ListForParticipantAsync(string userId, int limit, string? continuationToken, CancellationToken cancellationToken)
    {
        long beforeUpdatedAt = long.MaxValue;
        var beforeId = "";
        if (continuationToken is not null)
        {
            if (!ContinuationToken.TryDecode(continuationToken, out var position)
                || position.Split('|') is not [var at, var id]
                || !long.TryParse(at, NumberStyles.Integer, CultureInfo.InvariantCulture, out beforeUpdatedAt))
            {
                return Task.FromResult<Result<Page<ConversationView>>>(Error.Invalid("continuationToken", "The continuation token is not valid."));
            }

            beforeId = id;
        }

        return database.ReadAsync(async connection =>
        {
            var ids = new List<(string Id, long UpdatedAt)>();
            await using (var command = connection.Command(
                """
                SELECT c.id, c.updated_at FROM participants p JOIN conversations c ON c.id = p.conversation_id
                WHERE p.user_id = $user AND (c.updated_at < $at OR (c.updated_at = $at AND c.id < $id) OR $first)
                ORDER BY c.updated_at DESC, c.id DESC LIMIT $limit
                """,
                null,
                ("$user", userId), ("$at", beforeUpdatedAt), ("$id", beforeId), ("$first", continuationToken is null), ("$limit", limit + 1)))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    ids.Add((reader.GetString(0), reader.GetInt64(1)));
                }
            }

            var items = new List<ConversationView>(Math.Min(limit, ids.Count));
            foreach (var (id, _) in ids.Take(limit))
            {
                if (await SqliteConversationReads.ViewAsync(connection, id, userId, cancellationToken) is { } view)
                {
                    items.Add(view);
                }
            }

            var next = ids.Count > limit ? ContinuationToken.Encode($"{Invariant(ids[limit - 1].UpdatedAt)}|{ids[limit - 1].Id}") : null;
            return Result<Page<ConversationView>>.Success(new Page<ConversationView>(items, next));
        }, cancellationToken);
    }

    public Task<IReadOnlyList<Membership>> ListMembershipsAsync(string userId, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<Membership>>(async connection =>
        {
            await using var command = connection.Command(
                "SELECT conversation_id, last_read_sequence FROM participants WHERE user_id = $user", null, ("$user", userId));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var memberships = new List<Membership>();
            while (await reader.ReadAsync(cancellationToken))
            {
                memberships.Add(new Membership(reader.GetString(0), reader.GetInt64(1)));
            }

            return memberships;
        }, cancellationToken);

    public Task AddAsync(Conversation conversation, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await SqliteConversationRows.InsertAsync(connection, transaction, conversation, cancellationToken);
            return true;
        }, cancellationToken);

    public Task<(Conversation Conversation, bool Created)> GetOrAddDirectAsync(Conversation candidate, CancellationToken cancellationToken) =>
        GetOrAddAsync(candidate, "direct_key", candidate.DirectKey!, cancellationToken);

    public Task<(Conversation Conversation, bool Created)> GetOrAddForTaskAsync(Conversation candidate, CancellationToken cancellationToken) =>
        GetOrAddAsync(candidate, "task_id", candidate.TaskId!, cancellationToken);

    public Task UpdateAsync(Conversation conversation, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using (var update = connection.Command(
                """
                UPDATE conversations SET title = $title, updated_at = max(updated_at, $updated), version = version + 1, membership_epoch = $epoch,
                    metadata = $metadata
                WHERE id = $id AND version = $version
                """,
                transaction,
                ("$title", OrNull(conversation.Title)), ("$updated", ToUnixMs(conversation.UpdatedAt)), ("$id", conversation.Id), ("$version", conversation.Version),
                ("$epoch", conversation.MembershipEpoch), ("$metadata", SqliteConversationRows.MetadataJson(conversation.Metadata))))
            {
                if (await update.ExecuteNonQueryAsync(cancellationToken) != 1)
                {
                    throw new ConcurrencyConflictException($"Conversation {conversation.Id} changed since it was read.");
                }
            }

            var stored = new HashSet<string>(StringComparer.Ordinal);
            await using (var select = connection.Command("SELECT user_id FROM participants WHERE conversation_id = $id", transaction, ("$id", conversation.Id)))
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    stored.Add(reader.GetString(0));
                }
            }

            var removed = stored.Where(id => !conversation.HasParticipant(id)).ToList();
            var added = conversation.Participants.Select(p => p.UserId).Where(id => !stored.Contains(id)).ToList();
            foreach (var gone in removed)
            {
                await using var delete = connection.Command(
                    "DELETE FROM participants WHERE conversation_id = $id AND user_id = $user", transaction, ("$id", conversation.Id), ("$user", gone));
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }

            foreach (var participant in conversation.Participants)
            {
                // Roles and new members are saved; read watermarks move only through AdvanceWatermarkAsync.
                await using var upsert = connection.Command(
                    """
                    INSERT INTO participants (conversation_id, user_id, role, joined_at) VALUES ($id, $user, $role, $joined)
                    ON CONFLICT (conversation_id, user_id) DO UPDATE SET role = excluded.role
                    """,
                    transaction,
                    ("$id", conversation.Id), ("$user", participant.UserId), ("$role", (int)participant.Role), ("$joined", ToUnixMs(participant.JoinedAt)));
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }

            await SqliteChangeLog.RecordAsync(connection, transaction, new ConversationChanged(conversation.Id, added, removed), cancellationToken);
            conversation.AcceptVersion(conversation.Version + 1);
            return true;
        }, cancellationToken);

    public Task<(ReadWatermark? Watermark, bool Moved)> AdvanceWatermarkAsync(string conversationId, string userId, ReadWatermark watermark, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using (var update = connection.Command(
                """
                UPDATE participants SET last_read_message_id = $message, last_read_sequence = $sequence, last_read_at = $at
                WHERE conversation_id = $id AND user_id = $user AND last_read_sequence < $sequence
                """,
                transaction,
                ("$message", watermark.MessageId), ("$sequence", watermark.Sequence), ("$at", ToUnixMs(watermark.ReadAt)), ("$id", conversationId), ("$user", userId)))
            {
                if (await update.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    await SqliteChangeLog.RecordAsync(connection, transaction, new ReadWatermarkMoved(conversationId, userId), cancellationToken);
                    return (watermark, true);
                }
            }

            await using var select = connection.Command(
                "SELECT last_read_message_id, last_read_sequence, last_read_at FROM participants WHERE conversation_id = $id AND user_id = $user",
                transaction, ("$id", conversationId), ("$user", userId));
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            ReadWatermark? current = await reader.ReadAsync(cancellationToken) && !reader.IsDBNull(0)
                ? new ReadWatermark(reader.GetString(0), reader.GetInt64(1), Timestamp(reader, 2))
                : null;
            return (current, false);
        }, cancellationToken);

    public Task<IReadOnlyList<string>> DeleteAsync(string conversationId, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<string>>(async (connection, transaction) =>
        {
            var keys = new List<string>();
            await using (var select = connection.Command("SELECT id FROM attachments WHERE conversation_id = $id", transaction, ("$id", conversationId)))
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    keys.Add(Messaging.Domain.Attachments.AttachmentStorageKey.For(reader.GetString(0)));
                }
            }

            var former = new List<string>();
            await using (var members = connection.Command("SELECT user_id FROM participants WHERE conversation_id = $id", transaction, ("$id", conversationId)))
            await using (var reader = await members.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    former.Add(reader.GetString(0));
                }
            }

            await using var delete = connection.Command(
                "DELETE FROM attachments WHERE conversation_id = $id; DELETE FROM conversations WHERE id = $id;", transaction, ("$id", conversationId));
            await delete.ExecuteNonQueryAsync(cancellationToken);
            await SqliteChangeLog.RecordAsync(connection, transaction, new ConversationRemoved(conversationId, former), cancellationToken);
            return keys;
        }, cancellationToken);

    private async Task<(Conversation Conversation, bool Created)> GetOrAddAsync(Conversation candidate, string uniqueColumn, string key, CancellationToken cancellationToken)
    {
        var existing = await FindByAsync(uniqueColumn, key, cancellationToken);
        if (existing is not null)
        {
            return (existing, false);
        }

        // The write gate makes the check-then-insert atomic in-process; the unique index decides a
        // race with another process on the same file, and the loser returns the winner's conversation.
        try
        {
            return await InsertUnlessExistsAsync(candidate, uniqueColumn, key, cancellationToken);
        }
        catch (SqliteException exception) when (exception.SqliteErrorCode == 19)
        {
            var winner = await FindByAsync(uniqueColumn, key, cancellationToken);
            return winner is null ? throw new InvalidOperationException("A unique conversation key conflicted, yet no conversation holds it.", exception) : (winner, false);
        }
    }

    private Task<(Conversation Conversation, bool Created)> InsertUnlessExistsAsync(Conversation candidate, string uniqueColumn, string key, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using (var find = connection.Command($"SELECT id FROM conversations WHERE {uniqueColumn} = $key", transaction, ("$key", key)))
            {
                if (await find.ExecuteScalarAsync(cancellationToken) is string id)
                {
                    return ((await SqliteConversationRows.LoadAsync(connection, transaction, id, cancellationToken))!, false);
                }
            }

            await SqliteConversationRows.InsertAsync(connection, transaction, candidate, cancellationToken);
            return (candidate, true);
        }, cancellationToken);

    private Task<Conversation?> FindByAsync(string uniqueColumn, string key, CancellationToken cancellationToken) =>
        database.ReadAsync(async connection =>
        {
            await using var find = connection.Command($"SELECT id FROM conversations WHERE {uniqueColumn} = $key", null, ("$key", key));
            return await find.ExecuteScalarAsync(cancellationToken) is string id
                ? await SqliteConversationRows.LoadAsync(connection, null, id, cancellationToken)
                : null;
        }, cancellationToken);
}
