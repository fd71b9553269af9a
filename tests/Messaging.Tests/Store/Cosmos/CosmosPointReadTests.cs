using Messaging.Functions.Storage.Cosmos;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>
/// Requests that name only a message (<c>GET/PATCH/DELETE /messages/{id}</c>) find it with point
/// reads, on any instance: a query across every conversation's partition costs more the more
/// conversations there are.
/// </summary>
public sealed class CosmosPointReadTests : CosmosDoubleTest
{
    [Fact]
    public async Task Another_instance_finds_a_message_by_its_id_without_a_query()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = AGroup.OwnedBy(alice).With([bob]).At(Time.T0).Build();
        await Store.Conversations.AddAsync(group, Ct);
        var sent = (await Store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("hello").At(Time.At(1)), Ct)).Message!;

        // A fresh process: nothing remembered about which conversation the message is in.
        var otherInstance = new CosmosMessageRepository(new CosmosStore(new CosmosOptions { Database = Database.Id }, Database));
        var queriesBefore = Database.QueryLog.Queries.Count;
        var found = await otherInstance.GetAsync(sent.Id, Ct);

        Assert.Equal("hello", found?.Text);
        Assert.Equal(queriesBefore, Database.QueryLog.Queries.Count);
    }

    [Fact]
    public async Task An_unknown_message_id_is_not_found_without_a_query()
    {
        var queriesBefore = Database.QueryLog.Queries.Count;

        Assert.Null(await Store.Messages.GetAsync(Messaging.Domain.Common.Ids.New(), Ct));
        Assert.Equal(queriesBefore, Database.QueryLog.Queries.Count);
    }
}
