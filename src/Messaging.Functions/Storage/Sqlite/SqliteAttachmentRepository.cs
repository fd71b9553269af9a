using Messaging.Domain.Attachments;
using Microsoft.Data.Sqlite;
using static Messaging.Functions.Storage.Sqlite.SqliteValues;

namespace Messaging.Functions.Storage.Sqlite;

public sealed class SqliteAttachmentRepository(SqliteDatabase database) : IAttachmentRepository
{
    private const string Columns = "id, file_name, content_type, size, uploaded_by, created_at, conversation_id, message_id";

    public Task AddAsync(Attachment attachment, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using var insert = connection.Command(
                $"INSERT INTO attachments ({Columns}) VALUES ($id, $name, $type, $size, $by, $at, $c, $m)",
                transaction,
                ("$id", attachment.Id), ("$name", attachment.Info.FileName), ("$type", attachment.Info.ContentType), ("$size", attachment.Info.Size),
                ("$by", attachment.UploadedBy), ("$at", ToUnixMs(attachment.Info.CreatedAt)), ("$c", OrNull(attachment.ConversationId)), ("$m", OrNull(attachment.MessageId)));
            await insert.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }, cancellationToken);

    public Task<Attachment?> GetAsync(string attachmentId, CancellationToken cancellationToken) =>
        database.ReadAsync(connection => FindAsync(connection, null, attachmentId, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<Attachment>> GetManyAsync(IReadOnlyCollection<string> attachmentIds, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<Attachment>>(async connection =>
        {
            var found = new List<Attachment>(attachmentIds.Count);
            foreach (var id in attachmentIds)
            {
                if (await FindAsync(connection, null, id, cancellationToken) is { } attachment)
                {
                    found.Add(attachment);
                }
            }

            return found;
        }, cancellationToken);

    public Task<bool> DeleteUnusedAsync(string attachmentId, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using var delete = connection.Command("DELETE FROM attachments WHERE id = $id AND message_id IS NULL", transaction, ("$id", attachmentId));
            return await delete.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    /// <summary>The attachment as committed, read on <paramref name="connection"/> (inside <paramref name="transaction"/> when there is one).</summary>
    internal static async Task<Attachment?> FindAsync(SqliteConnection connection, SqliteTransaction? transaction, string attachmentId, CancellationToken cancellationToken)
    {
        await using var command = connection.Command($"SELECT {Columns} FROM attachments WHERE id = $id", transaction, ("$id", attachmentId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static Attachment Read(SqliteDataReader reader) =>
        Attachment.Restore(
            new AttachmentInfo(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4), Timestamp(reader, 5)),
            NullableString(reader, 6),
            NullableString(reader, 7));
}
