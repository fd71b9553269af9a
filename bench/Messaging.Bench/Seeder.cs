using System.Text;
using Microsoft.Data.Sqlite;

namespace Messaging.Bench;

/// <summary>
/// Writes conversations, participants and messages straight into the server's SQLite file (schema of
/// src/Messaging.Functions/Storage/Sqlite/SqliteDatabase.cs, created by the server itself first),
/// in big transactions, while the server is stopped. Timestamps are Unix milliseconds; type 1 is
/// group, role 0 owner and 1 member; last_sequence matches the messages written.
/// </summary>
internal sealed class Seeder : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly long _now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_600_000;
    private long _clock;

    public Seeder(string databasePath)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        _connection.Open();
        using var pragma = _connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; PRAGMA cache_size = -200000;";
        pragma.ExecuteNonQuery();
    }

    public static string Text(int length, int seed)
    {
        var builder = new StringBuilder(length);
        const string words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua ";
        for (var i = 0; builder.Length < length; i++)
        {
            builder.Append(words[(seed + i) % words.Length]);
        }

        return builder.ToString(0, length).Trim() is { Length: > 0 } text ? text : "x";
    }

    /// <summary>One group conversation per entry; the first user is its owner.</summary>
    public void Conversations(IEnumerable<(string Id, IReadOnlyList<string> Users)> conversations)
    {
        using var transaction = _connection.BeginTransaction();
        using var conversation = Command(
            transaction,
            "INSERT INTO conversations (id, type, title, task_id, direct_key, created_by, created_at, updated_at, last_sequence, version) VALUES ($id, 1, $title, NULL, NULL, $by, $at, $at, 0, 1)",
            "$id", "$title", "$by", "$at");
        using var participant = Command(
            transaction,
            "INSERT INTO participants (conversation_id, user_id, role, joined_at, last_read_message_id, last_read_sequence, last_read_at) VALUES ($c, $u, $role, $at, NULL, 0, NULL)",
            "$c", "$u", "$role", "$at");
        foreach (var (id, users) in conversations)
        {
            var at = _now + Interlocked.Increment(ref _clock);
            Set(conversation, id, "bench " + id, users[0], at);
            conversation.ExecuteNonQuery();
            for (var i = 0; i < users.Count; i++)
            {
                Set(participant, id, users[i], i == 0 ? 0 : 1, at + i);
                participant.ExecuteNonQuery();
            }
        }

        transaction.Commit();
    }

    /// <summary>Appends <paramref name="count"/> messages from the given senders (round robin) to a conversation, in transactions of 100,000 rows.</summary>
    public void Messages(string conversationId, IReadOnlyList<string> senders, long count, int textLength, Action<long>? progress = null)
    {
        long sequence;
        using (var last = _connection.CreateCommand())
        {
            last.CommandText = "SELECT last_sequence FROM conversations WHERE id = $c";
            last.Parameters.AddWithValue("$c", conversationId);
            sequence = (long)last.ExecuteScalar()!;
        }

        var texts = Enumerable.Range(0, 16).Select(i => Text(textLength, i * 7)).ToArray();
        var written = 0L;
        while (written < count)
        {
            using var transaction = _connection.BeginTransaction();
            using var insert = Command(
                transaction,
                "INSERT INTO messages (id, conversation_id, sequence, sender_id, text, attachments, client_message_id, created_at, edited_at, deleted_at) VALUES ($id, $c, $seq, $s, $text, '[]', NULL, $at, NULL, NULL)",
                "$id", "$c", "$seq", "$s", "$text", "$at");
            var batch = Math.Min(100_000, count - written);
            for (var i = 0; i < batch; i++)
            {
                sequence++;
                Set(insert, Guid.CreateVersion7().ToString("N"), conversationId, sequence, senders[(int)(sequence % senders.Count)], texts[sequence % texts.Length], _now + sequence);
                insert.ExecuteNonQuery();
            }

            using (var update = Command(transaction, "UPDATE conversations SET last_sequence = $seq, updated_at = $at WHERE id = $c", "$seq", "$at", "$c"))
            {
                Set(update, sequence, _now + sequence, conversationId);
                update.ExecuteNonQuery();
            }

            transaction.Commit();
            written += batch;
            progress?.Invoke(written);
        }
    }

    /// <summary>Every participant has read up to the latest message of their conversation, so each has a watermark to announce.</summary>
    public void ReadToLatest()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = """
            UPDATE participants SET
              last_read_message_id = (SELECT m.id FROM messages m WHERE m.conversation_id = participants.conversation_id ORDER BY m.sequence DESC LIMIT 1),
              last_read_sequence = (SELECT c.last_sequence FROM conversations c WHERE c.id = participants.conversation_id),
              last_read_at = $at
            WHERE EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = participants.conversation_id)
            """;
        command.Parameters.AddWithValue("$at", _now + Interlocked.Increment(ref _clock));
        command.ExecuteNonQuery();
    }

    /// <summary>The ids of the messages written, by conversation.</summary>
    public Dictionary<string, List<string>> MessageIdsByConversation()
    {
        var ids = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT conversation_id, id FROM messages ORDER BY conversation_id, sequence";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (!ids.TryGetValue(reader.GetString(0), out var list))
            {
                ids[reader.GetString(0)] = list = [];
            }

            list.Add(reader.GetString(1));
        }

        return ids;
    }

    /// <summary>Checkpoints the WAL into the main file so the server starts from a clean file.</summary>
    public void Checkpoint()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        command.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();

    private SqliteCommand Command(SqliteTransaction transaction, string sql, params string[] names)
    {
        var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    private static void Set(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }
    }
}
