using Messaging.Functions.Storage.Cosmos;

namespace Messaging.Tests.Store;

/// <summary>
/// The shared contracts against Azure Cosmos DB: each test gets a fresh database (created with the
/// containers of infra/modules/cosmos.bicep, deleted afterwards) on the account named by
/// <c>COSMOS_TEST_CONNECTION_STRING</c> (the emulator or a real account). Without it the tests are
/// reported as skipped, with the reason: the contract methods are <c>[SkippableFact]</c>/<c>[SkippableTheory]</c>,
/// which run exactly like <c>[Fact]</c>/<c>[Theory]</c> for SQLite.
/// </summary>
public static class CosmosTestStore
{
    public const string ConnectionStringVariable = "COSMOS_TEST_CONNECTION_STRING";

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } value ? value : null;

    public static async Task<StoreUnderTest> CreateAsync()
    {
        Skip.If(ConnectionString is null, $"No Cosmos DB to run the store contract against: set {ConnectionStringVariable} (emulator or account).");
        var store = new CosmosStore(new CosmosOptions
        {
            ConnectionString = ConnectionString,
            Database = "messaging-test-" + Guid.NewGuid().ToString("N")[..16],
        });
        await store.EnsureCreatedAsync(CancellationToken.None);
        return new StoreUnderTest(
            new CosmosConversationRepository(store, TimeProvider.System),
            new CosmosMessageRepository(store),
            new CosmosAttachmentRepository(store),
            async () =>
            {
                await store.Database.DeleteStreamAsync();
                store.Dispose();
            });
    }
}

public sealed class CosmosConversationRepositoryTests : ConversationRepositoryContract
{
    protected override Task<StoreUnderTest> CreateStoreAsync() => CosmosTestStore.CreateAsync();
}

public sealed class CosmosMessageRepositoryTests : MessageRepositoryContract
{
    protected override Task<StoreUnderTest> CreateStoreAsync() => CosmosTestStore.CreateAsync();
}

public sealed class CosmosAttachmentRepositoryTests : AttachmentRepositoryContract
{
    protected override Task<StoreUnderTest> CreateStoreAsync() => CosmosTestStore.CreateAsync();
}
