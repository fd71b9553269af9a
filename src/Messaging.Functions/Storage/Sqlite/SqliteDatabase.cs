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
    // A stack, not a ConcurrentBag: a bag's Count locks every thread's list, and a read takes its session on one
    // thread and returns it on another, which makes the bag steal under a lock; both showed as lock contention in S4.
    private readonly ConcurrentStack<ReadSession> _idleReaders = new();
    private int _idleReaderCount;
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
        SqliteMigrations.Apply(_connectionString, DatabasePath);
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
        var session = TryTakeIdleReader() ?? await ReadSession.OpenAsync(_connectionString, cancellationToken);
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
            if (reusable && !_disposed && TryReserveIdleSlot())
            {
                _idleReaders.Push(session);
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

    private bool TryReserveIdleSlot()
    {
        if (Interlocked.Increment(ref _idleReaderCount) <= MaxIdleReaders)
        {
            return true;
        }

        Interlocked.Decrement(ref _idleReaderCount);
        return false;
    }

    private ReadSession? TryTakeIdleReader()
    {
        if (!_idleReaders.TryPop(out var session))
        {
            return null;
        }

        Interlocked.Decrement(ref _idleReaderCount);
        return session;
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
        while (TryTakeIdleReader() is { } session)
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
}
