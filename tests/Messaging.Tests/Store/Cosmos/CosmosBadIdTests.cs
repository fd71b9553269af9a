using Messaging.Functions.Storage.Cosmos;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>
/// Ids from the URL that cannot name a document of the kind asked for are "not found" without a
/// database call: ids with the characters Cosmos DB reserves, and the store's own claim documents.
/// </summary>
public sealed class CosmosBadIdTests : CosmosDoubleTest
{
    [Theory]
    [InlineData("a/b")]
    [InlineData("a?b")]
    [InlineData("a#b")]
    [InlineData("a\\b")]
    public async Task An_id_with_a_reserved_character_is_not_found_before_any_database_call(string id)
    {
        Assert.Null(await Store.Conversations.GetAsync(id, Ct));
        Assert.Null(await Store.Messages.GetAsync(id, Ct));
        Assert.Null(await Store.Attachments.GetAsync(id, Ct));
        Assert.Empty(await Store.Attachments.GetManyAsync([id], Ct));
        Assert.False(await Store.Attachments.DeleteUnusedAsync(id, Ct));
        Assert.Equal(0, Database.Calls);
    }

    [Fact]
    public async Task A_claim_document_id_read_as_a_conversation_is_not_found()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var (direct, _) = await Store.Conversations.GetOrAddDirectAsync(ADirect.Between(alice, bob), Ct);
        var calls = Database.Calls;

        Assert.Null(await Store.Conversations.GetAsync(CosmosIds.Direct(direct.DirectKey!), Ct));
        Assert.Equal(calls, Database.Calls);
    }
}
