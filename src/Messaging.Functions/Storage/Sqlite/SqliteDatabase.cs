using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Messaging.Functions.Storage.Sqlite;

/// <summary>
/// The embedded database: one SQLite file in WAL mode with full sync, so that an acknowledged
/// write survives the process being killed. SQLite has one writer at a time, so writes queue for
/// a single writer that commits them in groups: each write runs in its own savepoint (a failing
/// write rolls back alone), and one COMMIT, one fsync, makes a whole group durable before any of
/// its callers is answered. Readers use pooled connections of their own (WAL lets them run beside
/// the writer).
/// </summary>
public sealed class SqliteDatabase : IDisposable
{
    private const int MaxGroupSize = 128;
    private const int MaxIdleReaders = 16;
    private readonly string _connectionString;
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private readonly ConcurrentBag<ReadSession> _idleReaders = [];
    private volatile bool _disposed;

    public SqliteDatabase(string databasePath)
    {
        DatabasePath = Path.GetFullPath(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        Migrate();
        _writer = Task.Run(WriteLoopAsync);
    }

    public string DatabasePath { get; }

    /// <summary>Raised after a write transaction committed; the change dispatcher listens.</summary>
    public event Action? Committed;

    /// <summary>
    /// Runs <paramref name="read"/> on a reader connection of its own. Reader connections stay open
    /// between reads with their prepared statements (see <see cref="SqliteStatements"/>).
    /// </summary>
    public async Task<T> ReadAsync<T>(Func<SqliteConnection, Task<T>> read, CancellationToken cancellationToken)
    {
        var session = _idleReaders.TryTake(out var idle) ? idle : await ReadSession.OpenAsync(_connectionString, cancellationToken);
        var reusable = false;
        try
        {
            var result = await read(session.Connection);
            reusable = true;
            return result;
        }
        finally
        {
            // A read that failed may have left the connection in any state: it is closed, not reused.
            if (reusable && !_disposed && _idleReaders.Count < MaxIdleReaders)
            {
                _idleReaders.Add(session);
                if (_disposed)
                {
                    CloseIdleReaders();
                }
            }
            else
            {
                session.Dispose();
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> inside the writer's transaction and answers once that
    /// transaction has committed. An exception from <paramref name="write"/> undoes its own writes only.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> write, CancellationToken cancellationToken, bool notify = true)
    {
        var pending = new PendingWrite<T>(write, notify, cancellationToken);
        return _writes.Writer.TryWrite(pending) ? pending.Completion : Task.FromException<T>(new ObjectDisposedException(nameof(SqliteDatabase)));
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM schema_version";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) >= 0;
    }

    public void Dispose()
    {
        _disposed = true;
        _writes.Writer.TryComplete();
        _writer.Wait(TimeSpan.FromSeconds(10));
        CloseIdleReaders();
        SqliteConnection.ClearAllPools();
    }

    private void CloseIdleReaders()
    {
        while (_idleReaders.TryTake(out var session))
        {
            session.Dispose();
        }
    }

    private async Task WriteLoopAsync()
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";
            await pragma.ExecuteNonQueryAsync();
        }

        using var statements = SqliteStatements.Attach(connection);

        var group = new List<PendingWrite>(MaxGroupSize);
        var written = new List<PendingWrite>(MaxGroupSize);
        while (await _writes.Reader.WaitToReadAsync())
        {
            group.Clear();
            written.Clear();
            while (group.Count < MaxGroupSize && _writes.Reader.TryRead(out var next))
            {
                group.Add(next);
            }

            try
            {
                await using var transaction = connection.BeginTransaction(deferred: false);
                foreach (var write in group)
                {
                    if (write.CancellationToken.IsCancellationRequested)
                    {
                        write.Fail(new OperationCanceledException(write.CancellationToken));
                        continue;
                    }

                    transaction.Save("write");
                    try
                    {
                        await write.RunAsync(connection, transaction);
                        transaction.Release("write");
                        written.Add(write);
                    }
                    catch (Exception exception)
                    {
                        transaction.Rollback("write");
                        transaction.Release("write");
                        write.Fail(exception);
                    }
                }

                await transaction.CommitAsync();
            }
            catch (Exception exception)
            {
                // Nothing of this group is durable: every caller still waiting gets the error.
                foreach (var write in group)
                {
                    write.Fail(exception);
                }

                continue;
            }

            var notify = false;
            foreach (var write in written)
            {
                write.Complete();
                notify |= write.Notify;
            }

            if (notify)
            {
                Committed?.Invoke();
            }
        }
    }

    private sealed class ReadSession : IDisposable
    {
        private readonly SqliteStatements _statements;

        private ReadSession(SqliteConnection connection)
        {
            Connection = connection;
            _statements = SqliteStatements.Attach(connection);
        }

        public SqliteConnection Connection { get; }

        public static async Task<ReadSession> OpenAsync(string connectionString, CancellationToken cancellationToken)
        {
            var connection = new SqliteConnection(connectionString);
            try
            {
                await connection.OpenAsync(cancellationToken);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }

            return new ReadSession(connection);
        }

        public void Dispose()
        {
            _statements.Dispose();
            Connection.Dispose();
        }
    }

    private abstract class PendingWrite(bool notify, CancellationToken cancellationToken)
    {
        public bool Notify { get; } = notify;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public abstract Task RunAsync(SqliteConnection connection, SqliteTransaction transaction);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private sealed class PendingWrite<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> write, bool notify, CancellationToken cancellationToken)
        : PendingWrite(notify, cancellationToken)
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Completion => _completion.Task;

        public override async Task RunAsync(SqliteConnection connection, SqliteTransaction transaction) =>
            _result = await write(connection, transaction);

        public override void Complete() => _completion.TrySetResult(_result!);

        public override void Fail(Exception exception) => _completion.TrySetException(exception);
    }

    // Each step runs in its own transaction and records its version, so a database is brought up
    // from whatever version it has.
    private static readonly (int Version, string Sql)[] Migrations =
    [
        (1, """
                CREATE TABLE conversations (
                    id TEXT PRIMARY KEY,
                    type INTEGER NOT NULL,
                    title TEXT,
                    task_id TEXT UNIQUE,
                    direct_key TEXT UNIQUE,
                    created_by TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    last_sequence INTEGER NOT NULL DEFAULT 0,
                    version INTEGER NOT NULL
                );
                CREATE TABLE participants (
                    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                    user_id TEXT NOT NULL,
                    role INTEGER NOT NULL,
                    joined_at INTEGER NOT NULL,
                    last_read_message_id TEXT,
                    last_read_sequence INTEGER NOT NULL DEFAULT 0,
                    last_read_at INTEGER,
                    PRIMARY KEY (conversation_id, user_id)
                ) WITHOUT ROWID;
                CREATE INDEX participants_by_user ON participants(user_id, conversation_id);
                CREATE INDEX conversations_by_activity ON conversations(updated_at DESC, id DESC);
                CREATE TABLE messages (
                    id TEXT PRIMARY KEY,
                    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                    sequence INTEGER NOT NULL,
                    sender_id TEXT NOT NULL,
                    text TEXT NOT NULL,
                    attachments TEXT NOT NULL,
                    client_message_id TEXT,
                    created_at INTEGER NOT NULL,
                    edited_at INTEGER,
                    deleted_at INTEGER
                );
                CREATE UNIQUE INDEX messages_by_sequence ON messages(conversation_id, sequence);
                CREATE UNIQUE INDEX messages_by_client_id ON messages(conversation_id, sender_id, client_message_id) WHERE client_message_id IS NOT NULL;
                CREATE TABLE attachments (
                    id TEXT PRIMARY KEY,
                    file_name TEXT NOT NULL,
                    content_type TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    uploaded_by TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    conversation_id TEXT,
                    message_id TEXT
                );
                CREATE INDEX attachments_by_conversation ON attachments(conversation_id) WHERE conversation_id IS NOT NULL;
            """),
        // The outbox: every committed change, in commit order, for the real-time fan-out.
        (2, """
                CREATE TABLE changes (
                    position INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    conversation_id TEXT NOT NULL,
                    subject_id TEXT,
                    user_ids TEXT
                );
                CREATE TABLE change_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL);
                INSERT INTO change_cursor (id, position) VALUES (1, 0);
            """),
        // When each change was recorded (Unix ms), for the change feed lag and publish duration metrics; null in older rows.
        (3, """
                ALTER TABLE changes ADD COLUMN recorded_at INTEGER;
            """),
        // Covering indexes for unread counts: the watermark comes from the user's index entry and
        // each count reads only index entries after it, never the message rows (docs/performance.md).
        (4, """
                DROP INDEX participants_by_user;
                CREATE INDEX participants_by_user ON participants(user_id, conversation_id, last_read_sequence);
                CREATE INDEX messages_unread ON messages(conversation_id, sequence, sender_id, deleted_at);
            """),
        // The membership epoch: moves whenever someone loses access; real-time audiences are keyed by it (decision 0006).
        (5, """
                ALTER TABLE conversations ADD COLUMN membership_epoch INTEGER NOT NULL DEFAULT 0;
            """),
        // Large groups: the participants a conversation resource lists (owners, then earliest joiners) and the participant
        // list in join order, each read from an index in a bounded number of rows whatever the group's size.
        (6, """
                CREATE INDEX participants_by_rank ON participants(conversation_id, role, joined_at, user_id);
                CREATE INDEX participants_by_join ON participants(conversation_id, joined_at, user_id);
            """),
    ];

    private void Migrate()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        command.ExecuteNonQuery();
        command.CommandText = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);";
        command.ExecuteNonQuery();
        command.CommandText = "SELECT coalesce(max(version), 0) FROM schema_version;";
        var current = Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        var latest = Migrations[^1].Version;
        if (current > latest)
        {
            throw new InvalidOperationException($"The database at {DatabasePath} has schema version {current}, newer than this build knows ({latest}).");
        }

        foreach (var (version, sql) in Migrations.Where(m => m.Version > current))
        {
            using var transaction = connection.BeginTransaction();
            command.Transaction = transaction;
            command.CommandText = $"{sql}\nINSERT INTO schema_version (version) VALUES ({version.ToString(System.Globalization.CultureInfo.InvariantCulture)});";
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }
}
