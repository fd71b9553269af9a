using Messaging.Functions.Storage.Cosmos;
using Messaging.Tests.Store.Cosmos.Double;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>
/// Ids from the URL that cannot name a document of the kind asked for are "not found" without a
/// database call: ids with the characters Cosmos DB reserves, and the store's own claim documents.
/// </summary>
public sealed class CosmosBadIdTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private StoreUnderTest _store = null!;
    private DoubleDatabase _database = null!;

    public Task InitializeAsync()
    {
        _store = CosmosTestStore.OnDouble(out _database);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Theory]
    [InlineData("a/b")]
    [InlineData("a?b")]
    [InlineData("a#b")]
    [InlineData("a\\b")]
    public async Task An_id_with_a_reserved_character_is_not_found_before_any_database_call(string id)
    {
        Assert.Null(await _store.Conversations.GetAsync(id, Ct));
        Assert.Null(await _store.Messages.GetAsync(id, Ct));
        Assert.Null(await _store.Attachments.GetAsync(id, Ct));
        Assert.Empty(await _store.Attachments.GetManyAsync([id], Ct));
        Assert.False(await _store.Attachments.DeleteUnusedAsync(id, Ct));
        Assert.Equal(0, _database.Calls);
    }

    [Fact]
    public async Task A_claim_document_id_read_as_a_conversation_is_not_found()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var (direct, _) = await _store.Conversations.GetOrAddDirectAsync(ADirect.Between(alice, bob), Ct);
        var calls = _database.Calls;

        Assert.Null(await _store.Conversations.GetAsync(CosmosIds.Direct(direct.DirectKey!), Ct));
        Assert.Equal(calls, _database.Calls);
    }
}
