using Messaging.Functions.Storage.Sqlite;
using Messaging.Tests.Support;

namespace Messaging.Tests.Store;

/// <summary>A fresh SQLite database in its own temporary folder, removed when the test ends.</summary>
public static class SqliteStore
{
    /// <param name="withDatabase">Builds further repositories of a contract over the same database.</param>
    public static Task<StoreUnderTest> CreateAsync(Action<SqliteDatabase>? withDatabase = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "messaging-store-tests", Guid.NewGuid().ToString("N"));
        var database = new SqliteDatabase(Path.Combine(folder, "messaging.db"));
        withDatabase?.Invoke(database);
        return Task.FromResult(new StoreUnderTest(
            new SqliteConversationRepository(database),
            new SqliteMessageRepository(database),
            new SqliteAttachmentRepository(database),
            new SqliteReactionRepository(database),
            () =>
            {
                database.Dispose();
                TemporaryFolder.DeleteQuietly(folder);

                return ValueTask.CompletedTask;
            }));
    }
}

public sealed class SqliteConversationRepositoryTests : ConversationRepositoryContract
{
    protected override Task<StoreUnderTest> CreateStoreAsync() => SqliteStore.CreateAsync();
}

public sealed class SqliteMessageRepositoryTests : MessageRepositoryContract
{
    protected override Task<StoreUnderTest> CreateStoreAsync() => SqliteStore.CreateAsync();
}

public sealed class SqliteAttachmentRepositoryTests : AttachmentRepositoryContract
{
    protected override Task<StoreUnderTest> CreateStoreAsync() => SqliteStore.CreateAsync();
}

public sealed class SqliteReactionRepositoryTests : ReactionRepositoryContract
{
    protected override Task<StoreUnderTest> CreateStoreAsync() => SqliteStore.CreateAsync();
}

public sealed class SqliteParticipantListTests : ParticipantListContract
{
    protected override Task<StoreUnderTest> CreateStoreAsync() => SqliteStore.CreateAsync();
}

public sealed class SqliteMessageAddendaTests : MessageAddendaContract
{
    protected override Task<StoreUnderTest> CreateStoreAsync() => SqliteStore.CreateAsync();
}
