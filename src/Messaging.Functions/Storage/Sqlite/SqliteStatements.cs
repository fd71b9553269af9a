using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Messaging.Functions.Storage.Sqlite;

/// <summary>
/// Prepared statements kept per long-lived connection (the writer's and each pooled reader's), so
/// that SQLite parses each statement once per connection instead of on every call. Microsoft.Data.Sqlite
/// prepares a command again whenever a new command object runs, and its own pool keeps no statements.
/// </summary>
internal sealed class SqliteStatements : IDisposable
{
    // Statement texts are a fixed set in this code base; the cap only guards against a future caller
    // that builds SQL with values in it.
    private const int Capacity = 128;
    private static readonly ConditionalWeakTable<SqliteConnection, SqliteStatements> ByConnection = [];
    private readonly Dictionary<string, Kept> _commands = new(StringComparer.Ordinal);
    private readonly SqliteConnection _connection;

    private SqliteStatements(SqliteConnection connection) => _connection = connection;

    /// <summary>Keeps statements for <paramref name="connection"/> until the returned cache is disposed.</summary>
    public static SqliteStatements Attach(SqliteConnection connection)
    {
        var statements = new SqliteStatements(connection);
        ByConnection.AddOrUpdate(connection, statements);
        return statements;
    }

    /// <summary>The command for <paramref name="sql"/>: the connection's kept one when it has a cache, else a new one the caller owns.</summary>
    public static Statement For(SqliteConnection connection, string sql, SqliteTransaction? transaction)
    {
        if (ByConnection.TryGetValue(connection, out var statements) && statements.TryRent(sql, out var kept))
        {
            kept.Command.Transaction = transaction;
            kept.Command.Parameters.Clear();
            return new Statement(kept.Command, kept);
        }

        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return new Statement(command, null);
    }

    public void Dispose()
    {
        ByConnection.Remove(_connection);
        foreach (var kept in _commands.Values)
        {
            kept.Command.Dispose();
        }

        _commands.Clear();
    }

    // A statement still in use (the same text run again while its reader is open) is not shared:
    // the caller gets a command of its own.
    private bool TryRent(string sql, out Kept kept)
    {
        if (_commands.TryGetValue(sql, out kept!))
        {
            if (kept.InUse)
            {
                return false;
            }

            kept.InUse = true;
            return true;
        }

        if (_commands.Count >= Capacity)
        {
            return false;
        }

        var command = _connection.CreateCommand();
        command.CommandText = sql;
        kept = new Kept(command) { InUse = true };
        _commands.Add(sql, kept);
        return true;
    }

    internal sealed class Kept(SqliteCommand command)
    {
        public SqliteCommand Command { get; } = command;

        public bool InUse { get; set; }
    }
}

/// <summary>A command to run once; disposing it hands a kept statement back for the next caller.</summary>
internal readonly struct Statement(SqliteCommand command, SqliteStatements.Kept? kept) : IAsyncDisposable
{
    public SqliteParameterCollection Parameters => command.Parameters;

    public Task<SqliteDataReader> ExecuteReaderAsync(CancellationToken cancellationToken = default) => command.ExecuteReaderAsync(cancellationToken);

    public Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken = default) => command.ExecuteScalarAsync(cancellationToken);

    public Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken = default) => command.ExecuteNonQueryAsync(cancellationToken);

    public ValueTask DisposeAsync()
    {
        if (kept is null)
        {
            return command.DisposeAsync();
        }

        kept.InUse = false;
        return ValueTask.CompletedTask;
    }
}
