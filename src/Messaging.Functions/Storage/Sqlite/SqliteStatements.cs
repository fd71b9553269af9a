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
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
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
        if (ByConnection.TryGetValue(connection, out var statements) && statements.TryGet(sql, out var kept))
        {
            kept.Transaction = transaction;
            kept.Parameters.Clear();
            return new Statement(kept, owned: false);
        }

        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return new Statement(command, owned: true);
    }

    public void Dispose()
    {
        ByConnection.Remove(_connection);
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
    }

    private bool TryGet(string sql, out SqliteCommand command)
    {
        if (_commands.TryGetValue(sql, out command!))
        {
            return true;
        }

        if (_commands.Count >= Capacity)
        {
            return false;
        }

        command = _connection.CreateCommand();
        command.CommandText = sql;
        _commands.Add(sql, command);
        return true;
    }
}

/// <summary>A command to run once; disposing it keeps a cached statement for the next caller.</summary>
internal readonly struct Statement(SqliteCommand command, bool owned) : IAsyncDisposable
{
    public SqliteParameterCollection Parameters => command.Parameters;

    public Task<SqliteDataReader> ExecuteReaderAsync(CancellationToken cancellationToken = default) => command.ExecuteReaderAsync(cancellationToken);

    public Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken = default) => command.ExecuteScalarAsync(cancellationToken);

    public Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken = default) => command.ExecuteNonQueryAsync(cancellationToken);

    public ValueTask DisposeAsync() => owned ? command.DisposeAsync() : ValueTask.CompletedTask;
}
