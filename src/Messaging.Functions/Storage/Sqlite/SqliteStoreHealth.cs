namespace Messaging.Functions.Storage.Sqlite;

public sealed class SqliteStoreHealth(SqliteDatabase database) : IStoreHealth
{
    public Task<bool> IsAvailableAsync(CancellationToken cancellationToken) => database.PingAsync(cancellationToken);
}
