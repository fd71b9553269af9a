using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Messaging.Functions.Storage.Sqlite;

/// <summary>Conversions between column values and domain values; timestamps are Unix milliseconds.</summary>
internal static class SqliteValues
{
    public static long ToUnixMs(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static object ToUnixMsOrNull(DateTimeOffset? value) => value is { } v ? v.ToUnixTimeMilliseconds() : DBNull.Value;

    public static DateTimeOffset Timestamp(SqliteDataReader reader, int ordinal) =>
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    public static DateTimeOffset? NullableTimestamp(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    public static string? NullableString(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static object OrNull(string? value) => value is null ? DBNull.Value : value;

    public static Statement Command(this SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        var statement = SqliteStatements.For(connection, sql, transaction);
        foreach (var (name, value) in parameters)
        {
            statement.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return statement;
    }

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
