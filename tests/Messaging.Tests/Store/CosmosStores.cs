using Messaging.Functions.Storage.Cosmos;
using Messaging.Tests.Store.Cosmos;
using Messaging.Tests.Store.Cosmos.Double;

namespace Messaging.Tests.Store;

/// <summary>
/// The shared contracts against the Cosmos DB adapter. With <c>COSMOS_TEST_CONNECTION_STRING</c>
/// (the emulator or an account; <c>COSMOS_TEST_CONNECTION_MODE=Gateway</c> for the emulator) each
/// test class gets a database of its own on that account, deleted at the end. Without it, every
/// test runs the adapter over an in-process double of the SDK's containers
/// (<see cref="DoubleDatabase"/>), and each query the double answered is checked against an
/// independent engine (<see cref="IndependentQueryCheck"/>) when the test ends.
/// </summary>
public static class CosmosTestStore
{
    public const string ConnectionStringVariable = "COSMOS_TEST_CONNECTION_STRING";
    public const string ConnectionModeVariable = "COSMOS_TEST_CONNECTION_MODE";

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } value ? value : null;

    /// <summary>The adapter over a fresh double; <paramref name="database"/> gives access to its faults, clock and change feed.</summary>
    public static StoreUnderTest OnDouble(out DoubleDatabase database, TimeProvider? clock = null)
    {
        var log = new QueryLog();
        var options = new CosmosOptions { Database = "messaging-test" };
        database = DoubleDatabase.ForStore(options, clock, log);
        var store = new CosmosStore(options, database);
        var purge = new PurgeHarness(store, clock ?? TimeProvider.System);
        return new StoreUnderTest(
            new CosmosConversationRepository(store, clock ?? TimeProvider.System),
            new CosmosMessageRepository(store),
            new CosmosAttachmentRepository(store),
            new CosmosReactionRepository(store),
            async () => await IndependentQueryCheck.AssertAgreesAsync(log.Queries),
            () => purge.RunToEndAsync());
    }

    public static Task<StoreUnderTest> CreateAsync(CosmosAccount account)
    {
        if (account.Store is not { } store)
        {
            return Task.FromResult(OnDouble(out _));
        }

        var purge = new PurgeHarness(store, TimeProvider.System);
        return Task.FromResult(new StoreUnderTest(
            new CosmosConversationRepository(store, TimeProvider.System), new CosmosMessageRepository(store), new CosmosAttachmentRepository(store),
            new CosmosReactionRepository(store), backgroundWork: () => purge.RunToEndAsync()));
    }
}

/// <summary>One database on the account named by <c>COSMOS_TEST_CONNECTION_STRING</c> for a test class; nothing without it.</summary>
public sealed class CosmosAccount : IAsyncLifetime
{
    public CosmosStore? Store { get; private set; }

    public async Task InitializeAsync()
    {
        if (CosmosTestStore.ConnectionString is not { } connectionString)
        {
            return;
        }

        Store = new CosmosStore(new CosmosOptions
        {
            ConnectionString = connectionString,
            ConnectionMode = CosmosOptions.ParseConnectionMode(Environment.GetEnvironmentVariable(CosmosTestStore.ConnectionModeVariable) is { Length: > 0 } mode ? mode : null),
            Database = "messaging-test-" + Guid.NewGuid().ToString("N")[..16],
        });
        await Store.EnsureCreatedAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (Store is not null)
        {
            await Store.Database.DeleteStreamAsync();
            Store.Dispose();
        }
    }
}

public sealed class CosmosConversationRepositoryTests(CosmosAccount account) : ConversationRepositoryContract, IClassFixture<CosmosAccount>
{
    protected override Task<StoreUnderTest> CreateStoreAsync() => CosmosTestStore.CreateAsync(account);
}

public sealed class CosmosMessageRepositoryTests(CosmosAccount account) : MessageRepositoryContract, IClassFixture<CosmosAccount>
{
    protected override Task<StoreUnderTest> CreateStoreAsync() => CosmosTestStore.CreateAsync(account);
}

public sealed class CosmosAttachmentRepositoryTests(CosmosAccount account) : AttachmentRepositoryContract, IClassFixture<CosmosAccount>
{
    protected override Task<StoreUnderTest> CreateStoreAsync() => CosmosTestStore.CreateAsync(account);
}

public sealed class CosmosReactionRepositoryTests(CosmosAccount account) : ReactionRepositoryContract, IClassFixture<CosmosAccount>
{
    protected override Task<StoreUnderTest> CreateStoreAsync() => CosmosTestStore.CreateAsync(account);
}

public sealed class CosmosParticipantListTests(CosmosAccount account) : ParticipantListContract, IClassFixture<CosmosAccount>
{
    protected override Task<StoreUnderTest> CreateStoreAsync() => CosmosTestStore.CreateAsync(account);
}

public sealed class CosmosMessageAddendaTests(CosmosAccount account) : MessageAddendaContract, IClassFixture<CosmosAccount>
{
    protected override Task<StoreUnderTest> CreateStoreAsync() => CosmosTestStore.CreateAsync(account);
}
