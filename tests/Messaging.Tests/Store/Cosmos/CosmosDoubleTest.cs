using Messaging.Tests.Store.Cosmos.Double;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>A test class that runs the Cosmos DB adapter on a fresh in-process double for each test.</summary>
public abstract class CosmosDoubleTest : IAsyncLifetime
{
    protected static readonly CancellationToken Ct = CancellationToken.None;

    protected StoreUnderTest Store { get; private set; } = null!;

    protected DoubleDatabase Database { get; private set; } = null!;

    public virtual Task InitializeAsync()
    {
        Store = CosmosTestStore.OnDouble(out var database);
        Database = database;
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync() => await Store.DisposeAsync();
}
